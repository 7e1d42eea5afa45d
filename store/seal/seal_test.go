package seal_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/seal"
)

func ring(t *testing.T, current string, old ...string) *seal.Ring {
	t.Helper()
	cur, err := seal.ParseKey(current)
	if err != nil {
		t.Fatal(err)
	}
	var olds [][]byte
	for _, o := range old {
		k, err := seal.ParseKey(o)
		if err != nil {
			t.Fatal(err)
		}
		olds = append(olds, k)
	}
	r, err := seal.NewRing(cur, olds...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSealOpen(t *testing.T) {
	r := ring(t, seal.GenerateKey())
	for _, plain := range []string{"13800138000", "王小明", "1 Road, Apt 5", `{"step":"checkout"}`} {
		sealed := r.Seal(plain)
		if strings.Contains(sealed, plain) || !strings.HasPrefix(sealed, "enc:v1:"+r.KeyID()+":") {
			t.Errorf("Seal(%q) = %q: want an envelope without the clear text", plain, sealed)
		}
		if again := r.Seal(plain); again == sealed {
			t.Errorf("Seal(%q) twice gave the same value: the nonce is not random", plain)
		}
		got, err := r.Open(sealed)
		if err != nil || got != plain {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
		blob := r.SealBytes([]byte(plain))
		if bytes.Contains(blob, []byte(plain)) {
			t.Errorf("SealBytes(%q) holds the clear text", plain)
		}
		if b, err := r.OpenBytes(blob); err != nil || string(b) != plain {
			t.Errorf("OpenBytes(SealBytes(%q)) = %q, %v", plain, b, err)
		}
	}
	if r.Seal("") != "" || r.SealBytes(nil) != nil {
		t.Error("empty values must stay empty")
	}
}

func TestOpenClearTextAsItIs(t *testing.T) {
	r := ring(t, seal.GenerateKey())
	for _, s := range []string{"13800138000", "enc:", "enc:v1:short"} {
		if got, err := r.Open(s); err != nil || got != s {
			t.Errorf("Open(%q) = %q, %v; want it unchanged", s, got, err)
		}
	}
	jpeg := []byte{0xff, 0xd8, 0xff, 0xe0}
	if got, err := r.OpenBytes(jpeg); err != nil || !bytes.Equal(got, jpeg) {
		t.Errorf("OpenBytes(jpeg) = %v, %v", got, err)
	}
}

func TestRotationKeepsOldValuesReadable(t *testing.T) {
	oldKey, newKey := seal.GenerateKey(), seal.GenerateKey()
	before := ring(t, oldKey)
	sealed := before.Seal("13800138000")
	after := ring(t, newKey, oldKey)
	if got, err := after.Open(sealed); err != nil || got != "13800138000" {
		t.Fatalf("new ring with the old key: Open = %q, %v", got, err)
	}
	if id, _ := seal.KeyIDOf(after.Seal("x")); id != after.KeyID() || id == before.KeyID() {
		t.Errorf("new values are sealed under %s, want the new key %s", id, after.KeyID())
	}
	_, err := ring(t, newKey).Open(sealed)
	var ke *seal.KeyError
	if !errors.As(err, &ke) || ke.ID != before.KeyID() || !errors.Is(err, seal.ErrUnknownKey) {
		t.Errorf("without the old key: err = %v, want a KeyError naming %s", err, before.KeyID())
	}
}

func TestTamperedValueDoesNotOpen(t *testing.T) {
	r := ring(t, seal.GenerateKey())
	blob := r.SealBytes([]byte("photo"))
	blob[len(blob)-1] ^= 1
	if _, err := r.OpenBytes(blob); !errors.Is(err, seal.ErrCorrupt) {
		t.Errorf("tampered blob: err = %v, want ErrCorrupt", err)
	}
	other := ring(t, seal.GenerateKey())
	// Forge the envelope of r's key id over another key's ciphertext.
	forged := strings.Replace(other.Seal("x"), other.KeyID(), r.KeyID(), 1)
	if _, err := r.Open(forged); !errors.Is(err, seal.ErrCorrupt) {
		t.Errorf("forged value: err = %v, want ErrCorrupt", err)
	}
}

func TestParseKey(t *testing.T) {
	for _, bad := range []string{"", "not base64!", "AAAA", strings.Repeat("A", 43)} {
		if _, err := seal.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted a bad key", bad)
		}
	}
}

func TestHashIsKeyedAndNormalized(t *testing.T) {
	r := ring(t, seal.GenerateKey())
	a := r.WithHashKey([]byte("secret one"))
	b := r.WithHashKey([]byte("secret two"))
	if a.Hash(seal.PhoneKey("138 0013-8000")) != a.Hash(seal.PhoneKey("13800138000")) {
		t.Error("phone hashes differ for the same digits")
	}
	if a.Hash(seal.NameKey("  Li  Lei ")) != a.Hash(seal.NameKey("li lei")) {
		t.Error("name hashes differ for the same name")
	}
	if a.Hash("13800138000") == b.Hash("13800138000") {
		t.Error("hash does not depend on the hash key")
	}
	if a.Hash("") != "" {
		t.Error("the empty string must hash to empty")
	}
}

// BenchmarkSealOpen is the crypto cost of one outbox message's text.
func BenchmarkSealOpen(b *testing.B) {
	raw, _ := seal.ParseKey(seal.GenerateKey())
	r, _ := seal.NewRing(raw)
	text := strings.Repeat("您的订单 100001 已确认, 送至 88 Wensan Road. ", 6)
	for b.Loop() {
		if _, err := r.Open(r.Seal(text)); err != nil {
			b.Fatal(err)
		}
	}
}
