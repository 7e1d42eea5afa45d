package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
)

// dataKeyConfig is ORDERBOT_DATA_KEY and ORDERBOT_DATA_KEY_OLD, parsed.
type dataKeyConfig struct {
	// Current seals what is written; nil when unset.
	Current []byte
	// Old only open what was sealed before a rotation.
	Old [][]byte
}

func loadDataKeys(get func(string) string) (dataKeyConfig, error) {
	var dk dataKeyConfig
	if v := get("ORDERBOT_DATA_KEY"); v != "" {
		k, err := seal.ParseKey(v)
		if err != nil {
			return dk, fmt.Errorf("ORDERBOT_DATA_KEY: %w", err)
		}
		dk.Current = k
	}
	for _, v := range strings.FieldsFunc(get("ORDERBOT_DATA_KEY_OLD"), func(r rune) bool { return r == ' ' || r == ',' }) {
		k, err := seal.ParseKey(v)
		if err != nil {
			return dk, fmt.Errorf("ORDERBOT_DATA_KEY_OLD: %w", err)
		}
		dk.Old = append(dk.Old, k)
	}
	return dk, nil
}

// keyFile is where the SQLite demo keeps its generated key: beside the
// database, so that a backup of the one without the other is visibly
// incomplete. "" for MySQL.
func keyFile(db string) string {
	path, ok := strings.CutPrefix(db, "sqlite:")
	if !ok {
		return ""
	}
	return path + ".key"
}

// dataRing returns the keys of cfg. Without ORDERBOT_DATA_KEY, MySQL is
// refused and SQLite uses the key file, generated on the first start;
// created names the file when this call made it.
func dataRing(cfg config, log *slog.Logger) (ring *seal.Ring, created string, err error) {
	current := cfg.DataKeys.Current
	if current == nil {
		path := keyFile(cfg.DB)
		if path == "" {
			return nil, "", errors.New("ORDERBOT_DATA_KEY is required with MySQL: personal data is encrypted under it. Make one with `openssl rand -base64 32` and keep a copy apart from the database backups")
		}
		if current, created, err = readOrCreateKeyFile(path); err != nil {
			return nil, "", err
		}
		if created != "" {
			log.Warn("generated the data key: keep a copy of this file with the database backups; without it the personal data cannot be read", "file", created)
		}
	}
	ring, err = seal.NewRing(current, cfg.DataKeys.Old...)
	if err != nil {
		return nil, "", err
	}
	return ring, created, nil
}

// readOrCreateKeyFile reads the key file, or creates it (mode 0600) with a
// new key; O_EXCL makes two processes starting at once agree on one.
func readOrCreateKeyFile(path string) (key []byte, created string, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		f, cerr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(cerr, fs.ErrExist) {
			return readOrCreateKeyFile(path)
		}
		if cerr != nil {
			return nil, "", fmt.Errorf("create data key file: %w", cerr)
		}
		text := seal.GenerateKey()
		_, werr := f.WriteString(text + "\n")
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(path)
			return nil, "", fmt.Errorf("write data key file: %w", werr)
		}
		key, err := seal.ParseKey(text)
		return key, path, err
	}
	if err != nil {
		return nil, "", fmt.Errorf("read data key file: %w", err)
	}
	key, err = seal.ParseKey(string(b))
	if err != nil {
		return nil, "", fmt.Errorf("data key file %s: %w", path, err)
	}
	return key, "", nil
}

// useDataKeys puts ring to use on st. A key file made (created) for a
// database that turns out to be encrypted under another key is removed
// again, so that the next start says the same thing.
func useDataKeys(ctx context.Context, st *store.Store, cfg config, ring *seal.Ring, created string) error {
	if err := st.UseKeys(ctx, ring); err != nil {
		if created != "" {
			os.Remove(created)
		}
		if errors.Is(err, store.ErrWrongKey) && cfg.DataKeys.Current == nil {
			return fmt.Errorf("%w (the key came from %s)", err, keyFile(cfg.DB))
		}
		return err
	}
	return nil
}

// dataCmd runs `orderbot data rotate-key`: every personal-data value is
// resealed under ORDERBOT_DATA_KEY, opening what is under the keys of
// ORDERBOT_DATA_KEY_OLD. It may be stopped and run again at any time.
func dataCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "rotate-key" {
		return errors.New("usage: orderbot data rotate-key (the new key in ORDERBOT_DATA_KEY, the one the data is under in ORDERBOT_DATA_KEY_OLD)")
	}
	if cfg.DataKeys.Current == nil {
		return errors.New("data rotate-key: set the new key in ORDERBOT_DATA_KEY and the current one in ORDERBOT_DATA_KEY_OLD")
	}
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer st.Close()
	// Rows the running service changes while a pass reads them are left
	// for the next pass.
	for pass := 1; ; pass++ {
		stats, err := st.Reseal(ctx, resealBatch, nil)
		if err != nil {
			return fmt.Errorf("data rotate-key (run it again to resume): %w", err)
		}
		fmt.Fprintf(stdout, "pass %d: %d rows read, %d resealed under the new key\n", pass, stats.Rows, stats.Resealed)
		if stats.Raced == 0 {
			break
		}
		if pass == 5 {
			return fmt.Errorf("data rotate-key: %d rows kept changing; run it again", stats.Raced)
		}
	}
	if path := keyFile(cfg.DB); path != "" {
		if _, err := os.Stat(path); err == nil {
			// The demo's key file must follow, or the next start without
			// ORDERBOT_DATA_KEY would be refused.
			if err := os.WriteFile(path, []byte(seal.KeyText(cfg.DataKeys.Current)+"\n"), 0o600); err != nil {
				return fmt.Errorf("data rotate-key: the data is under the new key, but %s could not be updated: %w", path, err)
			}
			fmt.Fprintf(stdout, "%s now holds the new key\n", path)
		}
	}
	fmt.Fprintln(stdout, "every value is under the new key: ORDERBOT_DATA_KEY_OLD may be removed")
	return nil
}

// resealBatch is the rows rewritten per transaction: small enough that the
// service's own writes wait for none for long.
const resealBatch = 200

// resealInBackground seals, while the service runs, what a database from
// before encryption (or a new key) left outside the current key, unless a
// complete pass under this key is recorded. The channel closes when it is
// done or ctx ends it; a stopped pass resumes at the next start.
func resealInBackground(ctx context.Context, st *store.Store, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	need, err := st.NeedsReseal(ctx)
	if err != nil || !need {
		if err != nil {
			log.Warn("checking whether personal data needs sealing", "err", err)
		}
		close(done)
		return done
	}
	go func() {
		defer close(done)
		stats, err := st.Reseal(ctx, resealBatch, nil)
		if err != nil && ctx.Err() == nil {
			log.Error("sealing personal data", "err", err, "rows", stats.Rows, "resealed", stats.Resealed)
			return
		}
		if stats.Resealed > 0 {
			log.Info("sealed personal data under the data key", "rows", stats.Rows, "resealed", stats.Resealed)
		}
	}()
	return done
}
