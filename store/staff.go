package store

import (
	"context"
	"fmt"

	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
)

type staffRow struct {
	ID           int64
	Channel      string
	UserID       string
	Name         string
	Role         string
	PasswordHash string
}

func (staffRow) TableName() string { return "staff" }

func staffFromRow(r staffRow) bot.Staff {
	return bot.Staff{ID: r.ID, Channel: r.Channel, UserID: r.UserID, Name: r.Name, Role: bot.Role(r.Role), PasswordHash: r.PasswordHash}
}

// StaffMember returns the staff identity (channel, userID).
func (r *repo) StaffMember(ctx context.Context, channel, userID string) (bot.Staff, error) {
	var row staffRow
	err := r.db.WithContext(ctx).Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	if err != nil {
		return bot.Staff{}, fmt.Errorf("staff %s:%s: %w", channel, userID, dbErr(err))
	}
	return staffFromRow(row), nil
}

// SaveStaff inserts the identity or updates its name, role and password.
func (r *repo) SaveStaff(ctx context.Context, s bot.Staff) error {
	row := staffRow{Channel: s.Channel, UserID: s.UserID, Name: s.Name, Role: string(s.Role), PasswordHash: s.PasswordHash}
	err := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel"}, {Name: "user_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"name", "role", "password_hash"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save staff %s:%s: %w", s.Channel, s.UserID, dbErr(err))
	}
	return nil
}

// ListStaff returns every staff identity by channel and user id.
func (r *repo) ListStaff(ctx context.Context) ([]bot.Staff, error) {
	var rows []staffRow
	if err := r.db.WithContext(ctx).Order("channel").Order("user_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list staff: %w", dbErr(err))
	}
	ss := make([]bot.Staff, len(rows))
	for i, row := range rows {
		ss[i] = staffFromRow(row)
	}
	return ss, nil
}

// RemoveStaff deletes the identity; ErrNotFound when there is none.
func (r *repo) RemoveStaff(ctx context.Context, channel, userID string) error {
	res := r.db.WithContext(ctx).Where("channel = ? AND user_id = ?", channel, userID).Delete(&staffRow{})
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("remove staff %s:%s: %w", channel, userID, err)
	}
	return nil
}
