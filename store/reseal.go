package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/seal"
)

// sealedSetting records the key the last complete reseal left every value
// under, so that a start with that key does not scan the tables again.
const sealedSetting = "data_sealed_key"

// sealedTable names the columns of a table that hold personal data.
type sealedTable struct {
	name   string
	key    string // the primary key, also the order of the scan
	texts  []string
	blobs  []string
	hashes []hashColumn
	// maxBatch bounds the rows per batch where rows are large (photos).
	maxBatch int
}

// hashColumn is a keyed hash kept beside a sealed text column.
type hashColumn struct {
	column, of string
	phone      bool // PhoneKey normalizes the value, else NameKey
}

// sealedTables is every place personal data lives: the repo seals and
// opens these columns in its row mapping, and Reseal keeps them all under
// the current key.
func sealedTables() []sealedTable {
	return []sealedTable{
		{name: "customers", key: "id", texts: []string{"display_name", "name", "phone", "address"}, blobs: []string{"conversation"},
			hashes: []hashColumn{{"display_name_hash", "display_name", false}, {"name_hash", "name", false}, {"phone_hash", "phone", true}}},
		{name: "orders", key: "id", texts: []string{"contact_name", "contact_phone", "contact_address"},
			hashes: []hashColumn{{"contact_name_hash", "contact_name", false}, {"contact_phone_hash", "contact_phone", true}}},
		{name: "messages", key: "id", texts: []string{"text", "options", "card", "notice"}},
		{name: "inbound", key: "dedup_key", blobs: []string{"reply"}},
		{name: "after_sales", key: "id", texts: []string{"reason", "decision_reason"}},
		{name: "chat_lines", key: "id", texts: []string{"text"}},
		{name: "media", key: "id", blobs: []string{"data"}, maxBatch: 10},
	}
}

// ResealStats counts what a reseal did.
type ResealStats struct {
	Rows     int // rows read
	Resealed int // rows rewritten under the current key
	Raced    int // rows changed by someone else between read and write, left for the next pass
}

// Reseal rewrites every personal-data value that is not under the store's
// current key (values in clear from before encryption, or sealed under an
// old key during a rotation) and every stale search hash, batch by batch,
// each batch in a transaction of its own. Every row stays readable
// throughout by a store holding both keys. A row is rewritten only if it
// still holds what was read (a compare-and-set), so writes of the running
// service are never lost; a row that changed is left for the next pass.
// Stopped half-way (ctx cancelled, the process killed), it simply runs
// again: rows already under the current key are skipped. When a pass ends
// with nothing left, the current key is recorded and the service stops
// looking at start.
func (s *Store) Reseal(ctx context.Context, batch int, progress func(table string, st ResealStats)) (ResealStats, error) {
	if s.keys == nil {
		return ResealStats{}, errors.New("reseal: no data key in use")
	}
	if batch <= 0 {
		batch = 200
	}
	if err := s.resealHashKey(ctx); err != nil {
		return ResealStats{}, err
	}
	var total ResealStats
	for _, t := range sealedTables() {
		st, err := s.resealTable(ctx, t, batch, func(st ResealStats) {
			if progress != nil {
				progress(t.name, st)
			}
		})
		total.Rows, total.Resealed, total.Raced = total.Rows+st.Rows, total.Resealed+st.Resealed, total.Raced+st.Raced
		if err != nil {
			return total, err
		}
	}
	if total.Raced == 0 {
		if err := s.setSetting(ctx, sealedSetting, s.keys.KeyID()); err != nil {
			return total, err
		}
	}
	return total, nil
}

// NeedsReseal reports whether values may be left outside the current key:
// no complete reseal has been recorded under it. It is false while the
// database's key check is under another key (a rotation not yet run),
// since resealing then belongs to `orderbot data rotate-key`.
func (s *Store) NeedsReseal(ctx context.Context) (bool, error) {
	check, err := s.Setting(ctx, hashKeySetting)
	if err != nil {
		return false, err
	}
	if id, _ := seal.KeyIDOf(check); id != s.keys.KeyID() {
		return false, nil
	}
	done, err := s.Setting(ctx, sealedSetting)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return false, err
	}
	return done != s.keys.KeyID(), nil
}

// resealHashKey puts the search-hash secret, and with it the key check,
// under the current key first: from then on a start with only the old key
// is refused, and never writes under it again.
func (s *Store) resealHashKey(ctx context.Context) error {
	stored, err := s.Setting(ctx, hashKeySetting)
	if err != nil {
		return fmt.Errorf("reseal: %w", err)
	}
	if id, _ := seal.KeyIDOf(stored); id == s.keys.KeyID() {
		return nil
	}
	plain, err := s.keys.Open(stored)
	if err != nil {
		return fmt.Errorf("reseal key check: %w", err)
	}
	res := s.db.WithContext(ctx).Model(&settingRow{}).Where("name = ? AND setting_value = ?", hashKeySetting, stored).
		Update("setting_value", s.keys.Seal(plain))
	if res.Error != nil {
		return fmt.Errorf("reseal key check: %w", dbErr(res.Error))
	}
	return nil
}

func (s *Store) setSetting(ctx context.Context, name, value string) error {
	db := s.db.WithContext(ctx)
	res := db.Model(&settingRow{}).Where("name = ?", name).Update("setting_value", value)
	if res.Error != nil {
		return fmt.Errorf("set setting %s: %w", name, dbErr(res.Error))
	}
	if res.RowsAffected > 0 {
		return nil
	}
	if _, err := s.SetSettingIfAbsent(ctx, name, value); err != nil {
		return err
	}
	return nil
}

// resealTable walks the table in key order, one batch per transaction.
func (s *Store) resealTable(ctx context.Context, t sealedTable, batch int, progress func(ResealStats)) (ResealStats, error) {
	if t.maxBatch > 0 {
		batch = min(batch, t.maxBatch)
	}
	var st ResealStats
	var after any
	for {
		var last any
		var n int
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			var err error
			n, last, err = s.resealBatch(tx, t, after, batch, &st)
			return err
		})
		if err != nil {
			return st, fmt.Errorf("reseal %s: %w", t.name, dbErr(err))
		}
		progress(st)
		if n < batch {
			return st, nil
		}
		after = last
	}
}

// resealBatch reads up to n rows after the key after and rewrites those not
// wholly under the current key; it returns how many rows it read and the
// last one's key.
func (s *Store) resealBatch(tx *gorm.DB, t sealedTable, after any, n int, st *ResealStats) (int, any, error) {
	cols := append(append([]string{t.key}, t.texts...), t.blobs...)
	for _, h := range t.hashes {
		cols = append(cols, h.column)
	}
	q := tx.Table(t.name).Select(cols).Order(t.key).Limit(n)
	if after != nil {
		q = q.Where(t.key+" > ?", after)
	}
	rows, err := q.Rows()
	if err != nil {
		return 0, nil, err
	}
	var read [][][]byte
	for rows.Next() {
		vals := make([][]byte, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return 0, nil, err
		}
		read = append(read, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	for _, vals := range read {
		st.Rows++
		if err := s.resealRow(tx, t, cols, vals, st); err != nil {
			return 0, nil, err
		}
	}
	if len(read) == 0 {
		return 0, nil, nil
	}
	last := read[len(read)-1][0]
	if t.key == "id" {
		id, err := strconv.ParseInt(string(last), 10, 64)
		return len(read), id, err
	}
	return len(read), string(last), nil
}

// resealRow rewrites one row if any value or hash is stale, on condition
// that the row still holds what was read.
func (s *Store) resealRow(tx *gorm.DB, t sealedTable, cols []string, vals [][]byte, st *ResealStats) error {
	set := map[string]any{}
	plain := map[string]string{}
	for i, c := range cols[1 : 1+len(t.texts)] {
		v := vals[1+i]
		if v == nil {
			continue
		}
		p, err := s.keys.Open(string(v))
		if err != nil {
			return fmt.Errorf("row %s: %s: %w", vals[0], c, err)
		}
		plain[c] = p
		if id, _ := seal.KeyIDOf(string(v)); id != s.keys.KeyID() && p != "" {
			set[c] = s.keys.Seal(p)
		}
	}
	for i, c := range t.blobs {
		v := vals[1+len(t.texts)+i]
		if len(v) == 0 {
			continue
		}
		if id, _ := seal.KeyIDOfBytes(v); id == s.keys.KeyID() {
			continue
		}
		p, err := s.keys.OpenBytes(v)
		if err != nil {
			return fmt.Errorf("row %s: %s: %w", vals[0], c, err)
		}
		set[c] = s.keys.SealBytes(p)
	}
	for i, h := range t.hashes {
		want := s.keys.Hash(seal.NameKey(plain[h.of]))
		if h.phone {
			want = s.keys.Hash(seal.PhoneKey(plain[h.of]))
		}
		if !bytes.Equal(vals[1+len(t.texts)+len(t.blobs)+i], []byte(want)) {
			set[h.column] = want
		}
	}
	if len(set) == 0 {
		return nil
	}
	q := tx.Table(t.name).Where(t.key+" = ?", string(vals[0]))
	for i, c := range cols[1:] {
		// Text goes back as text: SQLite never finds a blob equal to text.
		var v any = string(vals[1+i])
		if i >= len(t.texts) && i < len(t.texts)+len(t.blobs) {
			v = vals[1+i]
		}
		if vals[1+i] == nil {
			q = q.Where(c + " IS NULL")
		} else {
			q = q.Where(c+" = ?", v)
		}
	}
	res := q.Updates(set)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		st.Raced++
		return nil
	}
	st.Resealed++
	return nil
}
