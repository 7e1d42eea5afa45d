package conversation

import (
	"slices"
	"unicode/utf8"
)

// searchIndex narrows a search to the products that may match it, so that
// a search costs about the same with 10,000 products as with 12: a name
// (or pinyin) that holds the query holds each of the query's three-letter
// pieces too, and a name that holds a Chinese query holds each of its
// characters. It only narrows: searchKey.matches decides, so the hits are
// those of comparing with every product, in the catalog's order.
type searchIndex struct {
	grams    map[string][]int32 // a three-byte piece of a lower-case name or pinyin: the products with it, ascending
	runes    map[rune][]int32   // a non-ASCII character of a name: the products with it, ascending
	initials map[string][]int32 // pinyin initials: the products with them
}

func newSearchIndex(keys []searchKey) *searchIndex {
	x := &searchIndex{grams: map[string][]int32{}, runes: map[rune][]int32{}, initials: map[string][]int32{}}
	for i, k := range keys {
		id := int32(i)
		for _, s := range []string{k.name, k.pinyin} {
			for j := 0; j+3 <= len(s); j++ {
				x.grams[s[j:j+3]] = appendOnce(x.grams[s[j:j+3]], id)
			}
		}
		for _, s := range []string{k.name, k.nameZH} {
			for _, r := range s {
				if r >= utf8.RuneSelf {
					x.runes[r] = appendOnce(x.runes[r], id)
				}
			}
		}
		if k.initials != "" {
			x.initials[k.initials] = appendOnce(x.initials[k.initials], id)
		}
	}
	return x
}

// appendOnce adds id to a list built in ascending order of ids.
func appendOnce(list []int32, id int32) []int32 {
	if len(list) > 0 && list[len(list)-1] == id {
		return list
	}
	return append(list, id)
}

// candidates lists, ascending, the products that may match a search for q
// (compact: q without spaces), or says it cannot narrow it (ok false: a
// query too short for its pieces).
func (x *searchIndex) candidates(q, compact string, ascii bool) (ids []int32, ok bool) {
	if !ascii {
		// The rarest of its characters; a product holding q holds it.
		var best []int32
		found := false
		for _, r := range q {
			if r < utf8.RuneSelf {
				continue
			}
			list := x.runes[r]
			if !found || len(list) < len(best) {
				best, found = list, true
			}
		}
		return best, found
	}
	if len(q) < 3 || len(compact) < 3 {
		return nil, false
	}
	ids = union(x.grammed(q), x.grammed(compact))
	return union(ids, x.initials[compact]), true
}

// grammed lists the products that have every three-byte piece of s.
func (x *searchIndex) grammed(s string) []int32 {
	var out []int32
	for j := 0; j+3 <= len(s); j++ {
		list := x.grams[s[j:j+3]]
		if j == 0 {
			out = list
		} else {
			out = intersect(out, list)
		}
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

func intersect(a, b []int32) []int32 {
	var out []int32
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

func union(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	return slices.Compact(out)
}
