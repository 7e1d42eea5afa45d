package bot

import (
	"context"
	"time"
)

// Courier takes a customer's reply from the transaction that writes it
// straight to this replica's dispatcher. A reply written while nothing else
// waits for the customer is leased to the dispatcher in the same insert
// and handed to it once the transaction commits, so no claim of the outbox
// stands between the answer and the customer: a claim costs five
// statements, more than the rest of a typical message. The lease keeps
// what the outbox promises: if this replica dies before sending, the lease
// runs out and another replica's claim takes the reply over.
type Courier interface {
	// Lease is the owner and lease end to write on replies the courier
	// will carry; ok is false when it carries nothing now (it is not
	// running, or stopping), and the replies are queued for a claim.
	Lease() (owner string, until time.Time, ok bool)
	// Carry delivers replies written with a lease from Lease, once the
	// transaction that wrote them has committed.
	Carry(ms []*Message)
}

// carrier is the delivery Run serves: what Carry hands messages to.
type carrier struct {
	ctx context.Context // Run's sends
	r   *round
}

// Lease implements Courier.
func (d *Dispatcher) Lease() (string, time.Time, bool) {
	d.mu.Lock()
	running := d.carrier != nil && !d.stopping
	d.mu.Unlock()
	if !running {
		return "", time.Time{}, false
	}
	return d.cfg.Owner, d.leaseEnd(d.cfg.Clock().UTC()), true
}

// Carry implements Courier. After Run has ended (Shutdown gave the leases
// back, or they run out) the messages are left to a claim.
func (d *Dispatcher) Carry(ms []*Message) {
	if len(ms) == 0 {
		return
	}
	d.mu.Lock()
	c := d.carrier
	d.mu.Unlock()
	if c == nil {
		return
	}
	d.assign(c.ctx, c.r, ms, ms[0].LeaseUntil, true)
}
