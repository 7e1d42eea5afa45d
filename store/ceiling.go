package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// probeRow is a row of the scratch table WriteCeiling fills.
type probeRow struct {
	ID        int64
	Client    int
	Note      string `gorm:"size:64"`
	CreatedAt time.Time
}

func (probeRow) TableName() string { return "load_probe" }

// WriteCeiling measures what the database itself can commit with this
// store's settings: clients goroutines each commit transactions of three
// small inserts for d, and it returns transactions per second. The load tool
// compares orderbot's messages per second with it, since one message is
// about one such transaction. It uses a scratch table that it drops after.
func (s *Store) WriteCeiling(ctx context.Context, clients int, d time.Duration) (float64, error) {
	db := s.db.WithContext(ctx)
	ddl := db
	if s.dialect == dialectMySQL {
		ddl = db.Set("gorm:table_options", mysqlTableOptions)
	}
	if err := ddl.Migrator().CreateTable(&probeRow{}); err != nil {
		return 0, fmt.Errorf("write ceiling: create scratch table: %w", err)
	}
	defer db.Migrator().DropTable(&probeRow{})

	var (
		commits atomic.Int64
		wg      sync.WaitGroup
		errs    = make(chan error, clients)
	)
	stop := time.Now().Add(d)
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				err := db.Transaction(func(tx *gorm.DB) error {
					for range 3 {
						if err := tx.Create(&probeRow{Client: c, Note: "probe", CreatedAt: nowUTC()}).Error; err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
				commits.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := errors.Join(collect(errs)...); err != nil {
		return 0, fmt.Errorf("write ceiling: %w", err)
	}
	return float64(commits.Load()) / elapsed.Seconds(), nil
}

func collect(errs <-chan error) []error {
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return all
}
