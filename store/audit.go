package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

type auditRow struct {
	ID         int64
	OccurredAt time.Time
	Actor      string
	Entity     string
	Ref        string
	Action     string
	FromValue  string
	ToValue    string
	Note       string
}

func (auditRow) TableName() string { return "audit" }

// AddAudit appends an entry to the audit trail.
func (r *repo) AddAudit(ctx context.Context, e bot.AuditEntry) error {
	row := auditRow{
		OccurredAt: orNow(e.At), Actor: e.Actor, Entity: e.Entity, Ref: e.Ref,
		Action: e.Action, FromValue: e.From, ToValue: e.To, Note: e.Note,
	}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("add audit %s %s: %w", e.Entity, e.Ref, dbErr(err))
	}
	return nil
}

// Audit returns the trail of one entity, oldest first.
func (r *repo) Audit(ctx context.Context, entity, ref string) ([]bot.AuditEntry, error) {
	var rows []auditRow
	err := r.db.WithContext(ctx).Where("entity = ? AND ref = ?", entity, ref).
		Order("occurred_at").Order("id").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("audit of %s %s: %w", entity, ref, dbErr(err))
	}
	es := make([]bot.AuditEntry, len(rows))
	for i, row := range rows {
		es[i] = bot.AuditEntry{
			ID: row.ID, At: row.OccurredAt.UTC(), Actor: row.Actor, Entity: row.Entity, Ref: row.Ref,
			Action: row.Action, From: row.FromValue, To: row.ToValue, Note: row.Note,
		}
	}
	return es, nil
}
