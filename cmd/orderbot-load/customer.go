package main

import (
	"math/rand/v2"
	"strings"
)

// step is one thing a simulated customer does: type text or press the
// button whose key starts with press.
type step struct {
	text  string
	press string
}

// journey is what a shopper does in one visit: browse, look at a product,
// add it to the cart, go through checkout (and leave before confirming, so
// the demo stock lasts any run), then look up their orders.
var journey = []step{
	{text: "menu"},
	{press: "browse"},
	{press: "cat:"},
	{press: "sku:"},
	{press: "add"},
	{text: "1"},
	{press: "checkout"},
	{text: "Load Tester"},
	{text: "13800138000"},
	{text: "1 Load Street, Hangzhou"},
	{text: "menu"},
	{text: "orders"},
}

// choose picks the offered key for a press step: a random one of those
// starting with the prefix ("sku:" picks any product), or "" when none is
// offered and the customer should start over.
func choose(prefix string, offered []string, r *rand.Rand) string {
	var fit []string
	for _, k := range offered {
		if strings.HasPrefix(k, prefix) {
			fit = append(fit, k)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return fit[r.IntN(len(fit))]
}
