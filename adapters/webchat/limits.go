package webchat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Limits bounds what one client may cost the shop. Anonymous visitors can
// drop their cookie at will, so what matters is counted per client address
// as well; the zero value of a field takes its default.
type Limits struct {
	// NewCustomersPerHour is how many new web chat customers one address
	// may start in an hour (60: many customers may share one carrier-grade
	// NAT address, and a customer row is small).
	NewCustomersPerHour int
	// UploadsPerHour and UploadBytesPerHour bound the photos one address may
	// upload in an hour (20 photos, as for one customer, and 30 MiB).
	UploadsPerHour     int
	UploadBytesPerHour int64
	// PollsPerCustomer is how many long polls one customer may hold open at
	// once (3: a few tabs); PollsPerAddress is how many all customers
	// behind one address may (20: a shop's customers may share a
	// carrier-grade NAT address).
	PollsPerCustomer int
	PollsPerAddress  int
	// LoginFailures is how many failed staff logins for one user, or from
	// one address, within LoginWindow lock further attempts until the
	// window has passed (5 in 15 minutes).
	LoginFailures int
	LoginWindow   time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.NewCustomersPerHour, 60)
	def(&l.UploadsPerHour, 20)
	def(&l.PollsPerCustomer, 3)
	def(&l.PollsPerAddress, 20)
	def(&l.LoginFailures, 5)
	if l.UploadBytesPerHour <= 0 {
		l.UploadBytesPerHour = 30 << 20
	}
	if l.LoginWindow <= 0 {
		l.LoginWindow = 15 * time.Minute
	}
	return l
}

// quota is one limit applied to one client: at most count uses, and at
// most bytes in total when bytes > 0, within window.
type quota struct {
	key    string
	count  int
	bytes  int64
	window time.Duration
}

// maxWindowEvents bounds how many uses of one key are read to decide; a
// key never holds many more than its count, as refused uses are deleted.
const maxWindowEvents = 1000

// limitError is a use refused by a limit; RetryAfter is when one will be
// taken again.
type limitError struct {
	Key        string
	RetryAfter time.Duration
}

func (e *limitError) Error() string {
	return fmt.Sprintf("limit %s reached, retry after %s", e.Key, e.RetryAfter)
}

// take records one use of amount under every quota, or none: when any
// quota is exceeded the uses are taken back and a *limitError says how
// long to wait. The use is recorded before the quota is read, so two
// replicas counting at once each see the other and never let more through
// than the quota allows.
func (h *Handler) take(ctx context.Context, amount int64, qs ...quota) ([]int64, error) {
	now := h.opts.Clock()
	var ids []int64
	for _, q := range qs {
		id, err := h.guard.AddRateEvent(ctx, bot.RateEvent{Key: q.key, Amount: amount, At: now})
		if err != nil {
			h.untake(ctx, ids)
			return nil, fmt.Errorf("count %s: %w", q.key, err)
		}
		ids = append(ids, id)
		es, err := h.guard.RateEvents(ctx, q.key, now.Add(-q.window), maxWindowEvents)
		if err != nil {
			h.untake(ctx, ids)
			return nil, fmt.Errorf("count %s: %w", q.key, err)
		}
		if wait, over := q.over(es, id, amount, now); over {
			h.untake(ctx, ids)
			return nil, &limitError{Key: q.key, RetryAfter: wait}
		}
	}
	return ids, nil
}

// over reports whether the uses es (newest first, including mine) exceed
// the quota and, if so, how long until the oldest use standing in the way
// leaves the window.
func (q quota) over(es []bot.RateEvent, mine, amount int64, now time.Time) (time.Duration, bool) {
	n, total := 1, amount
	maxBytes := q.bytes
	if maxBytes <= 0 {
		maxBytes = math.MaxInt64
	}
	for _, e := range es {
		if e.ID == mine {
			continue
		}
		n, total = n+1, total+e.Amount
		if n > q.count || total > maxBytes {
			return max(e.At.Add(q.window).Sub(now), time.Second), true
		}
	}
	return 0, false
}

// untake deletes uses that are not to count after all: refused ones, or a
// login that turned out right. It must happen even when the request was
// cancelled meanwhile.
func (h *Handler) untake(ctx context.Context, ids []int64) {
	ctx = context.WithoutCancel(ctx)
	for _, id := range ids {
		if err := h.guard.DeleteRateEvent(ctx, id); err != nil {
			h.log.Error("webchat: take back a counted use", "err", err)
		}
	}
}

// limited answers a request refused by a limit: 429 with Retry-After in
// whole seconds, and what to do in words. It reports whether err was one.
func limited(w http.ResponseWriter, err error, what string) bool {
	var le *limitError
	if !errors.As(err, &le) {
		return false
	}
	secs := int(math.Ceil(le.RetryAfter.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, fmt.Sprintf("%s; please try again in %s", what, wait(secs)))
	return true
}

// wait says a number of seconds the way a person would.
func wait(secs int) string {
	switch {
	case secs < 60:
		return "a minute"
	case secs < 90*60:
		return strconv.Itoa((secs+59)/60) + " minutes"
	}
	return strconv.Itoa((secs+3599)/3600) + " hours"
}

// clientAddr is the address limits are counted by: the host of
// r.RemoteAddr, which the server's edge has already set to the real client
// when a trusted proxy is in front. An IPv6 client is counted by its /64,
// as one subscriber commonly holds that whole network.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// holdPoll takes a place for one long poll of the customer and one of the
// address, so that neither can hold more than a few open at once; release
// gives them back. Places outlive a poll by a margin only, so those of a
// replica that died free themselves.
func (h *Handler) holdPoll(ctx context.Context, cust, addr string) (release func(), err error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	holder := hex.EncodeToString(b)
	now := h.opts.Clock()
	until := now.Add(h.opts.PollWait + 30*time.Second)
	type place struct {
		name string
		slot int
	}
	var held []place
	release = func() {
		ctx := context.WithoutCancel(ctx)
		for _, p := range held {
			if err := h.guard.ReleasePollSlot(ctx, p.name, p.slot, holder); err != nil {
				h.log.Error("webchat: release poll place", "err", err)
			}
		}
	}
	l := h.opts.Limits
	for _, q := range []struct {
		name  string
		slots int
	}{{"poll-customer:" + cust, l.PollsPerCustomer}, {"poll-addr:" + addr, l.PollsPerAddress}} {
		slot, ok, err := h.guard.TakePollSlot(ctx, q.name, q.slots, holder, now, until)
		if err == nil && !ok {
			err = &limitError{Key: q.name, RetryAfter: h.opts.PollWait}
		}
		if err != nil {
			release()
			return nil, err
		}
		held = append(held, place{q.name, slot})
	}
	return release, nil
}
