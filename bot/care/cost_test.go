package care_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestCareReadsOnlyForText: only typed text outside an entry can answer
// a survey or a visit, so a button press or a name typed at checkout
// costs no read of them; free text costs one, of both.
func TestCareReadsOnlyForText(t *testing.T) {
	st := storetest.SQLite(t)
	s := newShop(t, st, 0)
	var mu sync.Mutex
	var tables []string
	st.OnStatement(func(table string) {
		mu.Lock()
		defer mu.Unlock()
		tables = append(tables, table)
	})
	reads := func(f func()) int {
		mu.Lock()
		tables = nil
		mu.Unlock()
		f()
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, tb := range tables {
			if strings.HasPrefix(tb, "care_surveys") || strings.HasPrefix(tb, "care_follow_ups") {
				n++
			}
		}
		return n
	}
	s.say("u1", "menu")
	if n := reads(func() { s.press("u1", "browse") }); n != 0 {
		t.Errorf("a button read surveys or visits %d times", n)
	}
	s.fillCart("u1", 1)
	s.press("u1", "checkout")
	if n := reads(func() { s.say("u1", "Li Lei") }); n != 0 {
		t.Errorf("a name typed at checkout read surveys or visits %d times", n)
	}
	s.say("u1", "menu")
	if n := reads(func() { s.say("u1", "hello") }); n != 1 {
		t.Errorf("free text read surveys and visits %d times, want 1 (both in one statement)", n)
	}
}
