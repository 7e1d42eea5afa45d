package privacy_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestEraseLeavesNoTraceInTheSQLiteFiles reads the SQLite database file and
// its write-ahead log as bytes after an erase: what was erased must not
// linger in freed pages or old page images either.
func TestEraseLeavesNoTraceInTheSQLiteFiles(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		path, ok := strings.CutPrefix(s.dsn, "sqlite:")
		if !ok {
			t.Skip("a file test")
		}
		c, _ := s.journey(userID)
		_, err := s.privacy.Erase(context.Background(), "alice (webchat)", c.ID)
		must(t, err)
		for _, f := range []string{path, path + "-wal"} {
			raw, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, secret := range secrets {
				if strings.Contains(string(raw), secret) {
					t.Errorf("%s holds %q after the erase", f, secret)
				}
			}
		}
	})
}
