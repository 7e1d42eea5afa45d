package conversation

import (
	"fmt"
	"hash/fnv"
	"strconv"
)

// view is what a stage shows: a prompt and the choices it accepts. It is
// computed from the state alone, so the options of the last reply can be
// recomputed when the answer arrives.
type view struct {
	text    string
	choices []choice
	image   string
}

// choice is one option and the other texts that also choose it (a product's
// bare name, an order's number).
type choice struct {
	key   string
	label string
	alias []string
}

func (v view) options() []Option {
	if len(v.choices) == 0 {
		return nil
	}
	opts := make([]Option, len(v.choices))
	for i, c := range v.choices {
		opts[i] = Option{Key: c.key, Label: c.label}
	}
	return opts
}

// byKey returns key when a current option has it: button data is untrusted
// and may come from an old message.
func (v view) byKey(key string) string {
	for _, c := range v.choices {
		if c.key == key {
			return key
		}
	}
	return ""
}

// byText finds the option the customer typed: its number, its label or an
// alias, compared after normalize.
func (v view) byText(norm string) string {
	if norm == "" {
		return ""
	}
	if n, err := strconv.Atoi(norm); err == nil && n >= 1 && n <= len(v.choices) {
		return v.choices[n-1].key
	}
	for _, c := range v.choices {
		if normalize(c.label) == norm {
			return c.key
		}
		for _, a := range c.alias {
			if normalize(a) == norm {
				return c.key
			}
		}
	}
	return ""
}

// numbered returns the label of the option a typed number chooses.
func (v view) numbered(norm string) (string, bool) {
	n, err := strconv.Atoi(norm)
	if err != nil || n < 1 || n > len(v.choices) {
		return "", false
	}
	return v.choices[n-1].label, true
}

// maxKey is the longest button key: Telegram carries at most 64 bytes of
// callback data.
const maxKey = 64

// itemKey builds the key of an option about one item (a product, an order,
// a category). Ids too long or not plain ASCII are replaced by a hash, which
// is as stable as the id itself.
func itemKey(prefix, id string) string {
	k := prefix + id
	if len(k) <= maxKey && plainASCII(id) {
		return k
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s#%016x", prefix, h.Sum64())
}

func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' || s[i] == '#' {
			return false
		}
	}
	return true
}
