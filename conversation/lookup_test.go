package conversation

import (
	"slices"
	"testing"
)

func TestOrdersNamed(t *testing.T) {
	cases := []struct {
		order string
		in    Input
		want  []string
	}{
		{"", Input{Text: "menu"}, nil},
		{"", Input{Text: "order 100014"}, []string{"100014"}},
		{"", Input{Text: "取消订单 #100014"}, []string{"100014"}},
		{"", Input{Text: "after-sales 100014"}, []string{"100014"}},
		{"100003", Input{Text: "yes"}, []string{"100003"}},
		{"100003", Input{Text: "cancel 100014"}, []string{"100003", "100014"}},
		// A button's text is not typed: only its key counts.
		{"", Input{Text: "order 100014", Button: "yes"}, nil},
		{"", Input{Text: "orders"}, nil},
		{"", Input{Text: "查询订单100014"}, []string{"100014"}},
		{"", Input{Text: "I want a refund for 100014"}, []string{"100014"}},
		{"", Input{Text: "13800138000"}, nil},
	}
	for _, c := range cases {
		if got := OrdersNamed(State{Order: c.order}, c.in); !slices.Equal(got, c.want) {
			t.Errorf("order %q, input %+v: %q, want %q", c.order, c.in, got, c.want)
		}
	}
}
