package conversation

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// turn is one Step or Resolve in progress: what the step may look at, the
// state being built, and the notes to put before the next prompt.
type turn struct {
	env   Env
	s     State
	notes []note
	// needs collects the omitted parts of env the turn looked at.
	needs Needs
	// stockOf are the products whose stock env.Stock lacked.
	stockOf []string
	// idx indexes env.Catalog when env.Index is nil.
	idx *CatalogIndex
}

// note is a message rendered only when the reply is built, so that a
// language switch in the same turn reaches it too.
type note struct {
	key  msgKey
	args []any
}

func newTurn(env Env, s State, hint Lang) *turn {
	switch {
	case s.Lang == English || s.Lang == Chinese:
	case s.Lang != "":
		s.Lang = ParseLang(string(s.Lang))
	default:
		s.Lang = ParseLang(string(hint))
	}
	return &turn{env: env, s: s}
}

// catalog is Env.Catalog; every look at it goes through here so that a
// step run without it says it needs it.
func (t *turn) catalog() []Product {
	t.needs |= t.env.Omitted & NeedCatalog
	return t.env.Catalog
}

// orders is Env.Orders, looked at the way catalog is.
func (t *turn) orders() []OrderView {
	t.needs |= t.env.Omitted & NeedOrders
	return t.env.Orders
}

// tier is Env.Tier, looked at the way catalog is.
func (t *turn) tier() Tier {
	t.needs |= t.env.Omitted & NeedTier
	return t.env.Tier
}

// stock is p's stock: Product.Stock, or with NeedStock omitted the fresh
// one of Env.Stock, and when that lacks it the step says it needs it.
func (t *turn) stock(p Product) int {
	if t.env.Omitted&NeedStock == 0 {
		return p.Stock
	}
	if n, ok := t.env.Stock[p.SKU]; ok {
		return n
	}
	if !slices.Contains(t.stockOf, p.SKU) {
		t.stockOf = append(t.stockOf, p.SKU)
	}
	t.needs |= NeedStock
	return p.Stock
}

// done is the turn's result with what it needed and did not have.
func (t *turn) done(res Result) Result {
	res.Needs = t.needs
	if res.Needs&NeedStock != 0 {
		res.StockOf = t.stockOf
	}
	return res
}

// tr renders one text of the catalog in the customer's language.
func (t *turn) tr(k msgKey, args ...any) string {
	return render(text(t.s.Lang, k), args)
}

func render(format string, args []any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// say adds a note to the next reply.
func (t *turn) say(k msgKey, args ...any) { t.notes = append(t.notes, note{k, args}) }

// show replies with the notes and the current stage's prompt and options.
func (t *turn) show() Result {
	v := t.view()
	parts := make([]string, 0, len(t.notes)+1)
	for _, n := range t.notes {
		parts = append(parts, t.tr(n.key, n.args...))
	}
	t.notes = nil
	parts = append(parts, v.text)
	return t.reply(Reply{Text: strings.Join(parts, "\n\n"), Options: v.options(), Image: v.image})
}

// goTo moves to a stage and shows it.
func (t *turn) goTo(st Stage) Result {
	t.s.Stage = st
	return t.show()
}

func (t *turn) reply(replies ...Reply) Result {
	t.s.LastActive = t.env.Now
	return Result{State: t.s, Replies: replies}
}

// intend hands an intent to the core. The notes gathered so far are
// dropped: Resolve writes the reply once the outcome is known.
func (t *turn) intend(it Intent) Result {
	t.s.LastActive = t.env.Now
	return Result{State: t.s, Intent: it}
}

func itoa(n int) string { return strconv.Itoa(n) }

// plural picks the text for one thing or for several: English needs both,
// and the Chinese catalog gives the same text to each.
func plural(n int, one, many msgKey) msgKey {
	if n == 1 {
		return one
	}
	return many
}
