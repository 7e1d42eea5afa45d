package bot

import (
	"errors"
	"testing"
	"time"
)

func testOrder(t *testing.T) *Order {
	t.Helper()
	o, err := NewOrder(Customer{ID: 1, Channel: WebChat, UserID: "u1"},
		[]OrderItem{{SKU: "A", UnitPrice: 1250, Qty: 2}, {SKU: "B", UnitPrice: 100, Qty: 1}},
		Contact{Name: "Li", Phone: "13800138000", Address: "1 Road, Hangzhou"}, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestNewOrderTotalsAndValidates(t *testing.T) {
	o := testOrder(t)
	if o.Total != 2600 || o.Status != Pending || len(o.History) != 1 {
		t.Fatalf("got total %d status %s history %d", o.Total, o.Status, len(o.History))
	}
	for _, items := range [][]OrderItem{nil, {{SKU: "A", Qty: 0}}, {{SKU: "A", Qty: 100}}} {
		if _, err := NewOrder(Customer{}, items, Contact{}, time.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("items %v: got %v, want ErrInvalid", items, err)
		}
	}
}

func TestOrderLifecycle(t *testing.T) {
	now := time.Unix(100, 0)
	steps := []struct {
		name    string
		do      func(o *Order) error
		want    OrderStatus
		wantErr bool
	}{
		{"ship before approval", func(o *Order) error { return o.Ship("a", "SF", "1", now) }, Pending, true},
		{"reject without reason", func(o *Order) error { return o.Reject("a", "", now) }, Pending, true},
		{"approve", func(o *Order) error { return o.Approve("alice", now) }, Confirmed, false},
		{"approve twice", func(o *Order) error { return o.Approve("bob", now) }, Confirmed, true},
		{"ship without tracking", func(o *Order) error { return o.Ship("a", "SF", "", now) }, Confirmed, true},
		{"ship", func(o *Order) error { return o.Ship("a", "SF", "SF123", now) }, Shipped, false},
		{"customer cancel after shipping", func(o *Order) error { _, err := o.CancelByCustomer("c", now); return err }, Shipped, true},
		{"complete before delivery", func(o *Order) error { return o.Complete("a", now) }, Shipped, true},
		{"deliver", func(o *Order) error { return o.Deliver("a", now) }, Delivered, false},
		{"complete", func(o *Order) error { return o.Complete("a", now) }, Completed, false},
	}
	o := testOrder(t)
	for _, s := range steps {
		err := s.do(o)
		if (err != nil) != s.wantErr || o.Status != s.want {
			t.Fatalf("%s: err %v, status %s; want error %v, status %s", s.name, err, o.Status, s.wantErr, s.want)
		}
	}
	if o.Carrier != "SF" || o.Tracking != "SF123" || len(o.History) != 5 {
		t.Fatalf("carrier %q tracking %q history %d", o.Carrier, o.Tracking, len(o.History))
	}
}

func TestSecondApproverLearnsWhoDecided(t *testing.T) {
	o := testOrder(t)
	at := time.Date(2026, 11, 23, 10, 32, 0, 0, time.UTC)
	if err := o.Approve("alice (webchat)", at); err != nil {
		t.Fatal(err)
	}
	err := o.Reject("bob (webchat)", "no stock", at.Add(time.Second))
	var decided *DecidedError
	if !errors.As(err, &decided) || decided.By != "alice (webchat)" || decided.Status != string(Confirmed) || !decided.At.Equal(at) {
		t.Fatalf("got %v", err)
	}
}

func TestCustomerCancel(t *testing.T) {
	now := time.Unix(100, 0)
	t.Run("pending cancels at once", func(t *testing.T) {
		o := testOrder(t)
		done, err := o.CancelByCustomer("c", now)
		if err != nil || !done || o.Status != Cancelled {
			t.Fatalf("done %v err %v status %s", done, err, o.Status)
		}
	})
	t.Run("confirmed becomes a request staff decide once", func(t *testing.T) {
		o := testOrder(t)
		_ = o.Approve("alice", now)
		done, err := o.CancelByCustomer("c", now)
		if err != nil || done || !o.CancelRequested || o.Status != Confirmed {
			t.Fatalf("done %v err %v requested %v status %s", done, err, o.CancelRequested, o.Status)
		}
		if _, err := o.CancelByCustomer("c", now); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("second request: %v", err)
		}
		if err := o.Ship("a", "SF", "1", now); err == nil {
			t.Fatal("shipped with an open cancel request")
		}
		if err := o.ApproveCancel("alice", now); err != nil || o.Status != Cancelled {
			t.Fatalf("approve cancel: %v, %s", err, o.Status)
		}
		var decided *DecidedError
		if err := o.RejectCancel("bob", "too late", now); !errors.As(err, &decided) || decided.By != "alice" {
			t.Fatalf("second decision: %v", err)
		}
	})
	t.Run("rejected cancel keeps the order confirmed", func(t *testing.T) {
		o := testOrder(t)
		_ = o.Approve("alice", now)
		_, _ = o.CancelByCustomer("c", now)
		if err := o.RejectCancel("alice", "already packed", now); err != nil || o.Status != Confirmed || o.CancelRequested {
			t.Fatalf("err %v status %s requested %v", err, o.Status, o.CancelRequested)
		}
	})
}

func TestAfterSalesRules(t *testing.T) {
	now := time.Unix(100, 0)
	c := Customer{ID: 1, Channel: WebChat, UserID: "u1"}
	o := testOrder(t)
	if _, err := NewAfterSales(c, o, Return, "broken", nil, now); !errors.Is(err, ErrNotEligible) {
		t.Fatalf("pending order: %v", err)
	}
	_ = o.Approve("a", now)
	_ = o.Ship("a", "SF", "1", now)
	if _, err := NewAfterSales(Customer{ID: 2}, o, Return, "broken", nil, now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("someone else's order: %v", err)
	}
	if _, err := NewAfterSales(c, o, "swap", "broken", nil, now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown type: %v", err)
	}
	r, err := NewAfterSales(c, o, Repair, "the lid cracked", []string{"photo-1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Resolve("a", now); err == nil {
		t.Fatal("resolved before approval")
	}
	if err := r.Approve("alice", "", now); err != nil {
		t.Fatal(err)
	}
	var decided *DecidedError
	if err := r.Reject("bob", "no", now); !errors.As(err, &decided) || decided.By != "alice" {
		t.Fatalf("second decision: %v", err)
	}
	if err := r.Resolve("a", now); err != nil || r.Status != Resolved || r.Status.Open() {
		t.Fatalf("resolve: %v %s", err, r.Status)
	}
}

func TestRoles(t *testing.T) {
	cases := []struct {
		role, need Role
		want       bool
	}{
		{Agent, Agent, true}, {Agent, Approver, false}, {Approver, Approver, true},
		{Approver, Admin, false}, {Admin, Approver, true}, {"", Agent, false}, {"boss", Agent, false},
	}
	for _, c := range cases {
		if got := c.role.AtLeast(c.need); got != c.want {
			t.Errorf("%q at least %q = %v, want %v", c.role, c.need, got, c.want)
		}
	}
	if _, err := ParseRole("root"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseRole(root) = %v", err)
	}
}
