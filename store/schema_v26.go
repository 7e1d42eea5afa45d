package store

import "gorm.io/gorm"

// The schema change of migration 26: two indexes of messages go, because
// every reply pays for them and idx_messages_queue already answers their
// questions. Each secondary index costs each reply's insert one more
// B-tree insert, and each delivery record, which changes delivered_at,
// owner and lease_until, a delete and an insert in every index holding
// one of those; on MariaDB these two were a tenth of its CPU per message.
//
//   - idx_messages_held (channel, recipient, held_at) found a recipient's
//     held messages. Held messages are undelivered ones, and a recipient's
//     undelivered messages are a handful on idx_messages_queue (channel,
//     recipient, delivered_at, id).
//   - idx_messages_owner (owner) found the leases a replica gives back at
//     shutdown, once per process; the undelivered messages it now scans
//     instead (idx_messages_due) are the outbox's backlog.
func migrateV26(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, name := range []string{"idx_messages_held", "idx_messages_owner"} {
		if !m.HasIndex("messages", name) {
			continue
		}
		if err := m.DropIndex("messages", name); err != nil {
			return err
		}
	}
	return nil
}
