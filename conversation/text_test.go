package conversation

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// declaredKeys reads every msgKey constant from text.go, so that a key
// added there without texts fails the test.
func declaredKeys(t *testing.T) []msgKey {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "text.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []msgKey
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "msgKey" {
				continue
			}
			lit := v.Values[0].(*ast.BasicLit)
			keys = append(keys, msgKey(strings.Trim(lit.Value, `"`)))
		}
	}
	return keys
}

func TestCatalogsMatch(t *testing.T) {
	en, zh := textsEN(), textsZH()
	keys := declaredKeys(t)
	if len(keys) < 100 {
		t.Fatalf("only %d keys declared; is the parser reading text.go?", len(keys))
	}
	if len(keys) != len(slices.Compact(slices.Sorted(slices.Values(keys)))) {
		t.Fatalf("two constants share a key value")
	}
	if len(en) != len(keys) || len(zh) != len(keys) {
		t.Fatalf("%d keys declared, %d English texts, %d Chinese texts", len(keys), len(en), len(zh))
	}
	verbs := regexp.MustCompile(`%[a-zA-Z%]`)
	for _, k := range keys {
		e, z := en[k], zh[k]
		if strings.TrimSpace(e) == "" || strings.TrimSpace(z) == "" {
			t.Errorf("%s: empty text (en %q, zh %q)", k, e, z)
		}
		ve, vz := verbs.FindAllString(e, -1), verbs.FindAllString(z, -1)
		if !slices.Equal(ve, vz) {
			t.Errorf("%s: placeholders differ: en %v, zh %v", k, ve, vz)
		}
		for _, v := range ve {
			if v != "%s" {
				t.Errorf("%s: placeholder %s; only %%s is used", k, v)
			}
		}
	}
}

// TestChineseReadsChinese catches English left in the Chinese catalog and
// ASCII punctuation where Chinese punctuation belongs.
func TestChineseReadsChinese(t *testing.T) {
	bilingual := map[msgKey]bool{ // the same in both languages on purpose
		msgOptChinese: true, msgOptEnglish: true, msgProductLabel: true, msgCartLine: true,
		msgLineLabel: true, msgOrderLabel: true,
	}
	en := textsEN()
	for k, z := range textsZH() {
		if bilingual[k] {
			continue
		}
		if z == en[k] {
			t.Errorf("%s: Chinese text equals the English one: %q", k, z)
		}
		if strings.ContainsAny(z, ",?!") || strings.Contains(z, ". ") {
			t.Errorf("%s: ASCII punctuation in %q", k, z)
		}
	}
}

func TestTexts(t *testing.T) {
	if texts(Chinese)[msgMenuPrompt] == texts(English)[msgMenuPrompt] {
		t.Fatal("texts ignores the language")
	}
	m := texts(English)
	m[msgMenuPrompt] = "changed"
	if texts(English)[msgMenuPrompt] == "changed" {
		t.Fatal("a caller changed the catalog for everyone")
	}
}
