package store

import (
	"context"
	"fmt"
)

// TableBytes returns every value of every row of a table as the database
// gives it, concatenated: what someone reading the raw table would see.
func TableBytes(ctx context.Context, s *Store, table string) ([]byte, error) {
	rows, err := s.sqlDB.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return nil, fmt.Errorf("dump %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []byte
	vals := make([]any, len(cols))
	for rows.Next() {
		raw := make([][]byte, len(cols))
		for i := range raw {
			vals[i] = &raw[i]
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, fmt.Errorf("dump %s: %w", table, err)
		}
		for _, v := range raw {
			out = append(append(out, v...), '|')
		}
	}
	return out, rows.Err()
}
