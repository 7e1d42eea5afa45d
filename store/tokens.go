package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

type apiTokenRow struct {
	ID         int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

func (apiTokenRow) TableName() string { return "api_tokens" }

// lastUsedGranularity spares a write on every request: last use is
// recorded again only when the stored one is older than this.
const lastUsedGranularity = time.Minute

// CreateAPIToken stores the token's hash and makes its name a staff identity
// on the API channel with the role, audited, in one transaction;
// ErrDuplicate when a token of that name exists.
func (s *Store) CreateAPIToken(ctx context.Context, t bot.APIToken, actor string) error {
	if _, err := bot.ParseRole(string(t.Role)); err != nil {
		return err
	}
	now := orNow(t.CreatedAt)
	err := s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		r := s.repo.on(db)
		if err := db.Create(&apiTokenRow{Name: t.Name, TokenHash: t.Hash, CreatedAt: now}).Error; err != nil {
			return dbErr(err)
		}
		st := bot.Staff{Channel: bot.APIChannel, UserID: t.Name, Name: t.Name, Role: t.Role}
		if err := r.SaveStaff(ctx, st); err != nil {
			return err
		}
		return r.AddAudit(ctx, bot.AuditEntry{Actor: actor, Entity: "staff", Ref: bot.APIChannel + ":" + t.Name, Action: "token create", To: string(t.Role), At: now})
	})
	if err != nil {
		return fmt.Errorf("create token %s: %w", t.Name, err)
	}
	return nil
}

// RevokeAPIToken deletes the token and its staff identity, audited, in one
// transaction; ErrNotFound when there is no token of that name.
func (s *Store) RevokeAPIToken(ctx context.Context, name, actor string, at time.Time) error {
	err := s.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		r := s.repo.on(db)
		if err := mustAffect(db.Where("name = ?", name).Delete(&apiTokenRow{})); err != nil {
			return err
		}
		err := r.RemoveStaff(ctx, bot.APIChannel, name)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		return r.AddAudit(ctx, bot.AuditEntry{Actor: actor, Entity: "staff", Ref: bot.APIChannel + ":" + name, Action: "token revoke", At: orNow(at)})
	})
	if err != nil {
		return fmt.Errorf("revoke token %s: %w", name, err)
	}
	return nil
}

// ListAPITokens returns every token by name, with its role, never its hash.
func (r *repo) ListAPITokens(ctx context.Context) ([]bot.APIToken, error) {
	var rows []struct {
		Name       string
		CreatedAt  time.Time
		LastUsedAt *time.Time
		Role       *string
	}
	err := r.db.WithContext(ctx).Table("api_tokens").
		Select("api_tokens.name, api_tokens.created_at, api_tokens.last_used_at, staff.role").
		Joins("LEFT JOIN staff ON staff.channel = ? AND staff.user_id = api_tokens.name", bot.APIChannel).
		Order("api_tokens.name").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", dbErr(err))
	}
	ts := make([]bot.APIToken, len(rows))
	for i, row := range rows {
		ts[i] = bot.APIToken{Name: row.Name, CreatedAt: row.CreatedAt.UTC(), LastUsedAt: fromNullTime(row.LastUsedAt)}
		if row.Role != nil {
			ts[i].Role = bot.Role(*row.Role)
		}
	}
	return ts, nil
}

// Authenticate returns the staff identity of the token with this hash and
// records its use; ErrNotFound for an unknown or revoked token, or one whose
// staff identity was removed.
func (r *repo) Authenticate(ctx context.Context, hash string, now time.Time) (bot.Staff, error) {
	db := r.db.WithContext(ctx)
	var row apiTokenRow
	if err := db.Where("token_hash = ?", hash).Take(&row).Error; err != nil {
		return bot.Staff{}, fmt.Errorf("token: %w", dbErr(err))
	}
	st, err := r.StaffMember(ctx, bot.APIChannel, row.Name)
	if err != nil {
		return bot.Staff{}, fmt.Errorf("token %s: %w", row.Name, err)
	}
	now = dbTime(now)
	err = db.Model(&apiTokenRow{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", row.ID, now.Add(-lastUsedGranularity)).
		UpdateColumn("last_used_at", now).Error
	if err != nil {
		return bot.Staff{}, fmt.Errorf("token %s: record use: %w", row.Name, dbErr(err))
	}
	return st, nil
}
