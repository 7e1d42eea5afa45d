// Package seal encrypts personal data at rest: AES-256-GCM with a random
// nonce per value, in an envelope that names the key it was sealed under, so
// that during a key rotation values under the old key stay readable beside
// those already under the new one. It also gives the keyed hashes that let
// the store find a row by an exact phone number or name without keeping
// either in clear.
//
// A value without an envelope opens as itself: rows written before
// encryption was turned on stay readable until they are sealed.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a data key: AES-256.
const KeySize = 32

// The envelopes: text columns get "enc:v1:KEYID:" and the standard base64
// of nonce and ciphertext; blobs get the same prefix after a zero byte
// (which neither JSON nor an image starts with) and the raw bytes, sparing
// photos base64's third.
const (
	textPrefix = "enc:v1:"
	idLen      = 8 // hex digits of a key id
)

var blobPrefix = []byte("\x00enc:v1:")

// ErrUnknownKey says a value was sealed under a key the ring does not hold.
var ErrUnknownKey = errors.New("sealed under a key that is not configured")

// ErrCorrupt says a value has an envelope but does not open under its key.
var ErrCorrupt = errors.New("sealed value does not open: wrong key or damaged data")

// KeyError names the key a value needs.
type KeyError struct{ ID string }

func (e *KeyError) Error() string { return fmt.Sprintf("key %s: %v", e.ID, ErrUnknownKey) }
func (e *KeyError) Unwrap() error { return ErrUnknownKey }

type key struct {
	id   string
	aead cipher.AEAD
}

func newKey(raw []byte) (key, error) {
	if len(raw) != KeySize {
		return key{}, fmt.Errorf("data key has %d bytes, want %d", len(raw), KeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return key{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return key{}, err
	}
	// The id is a MAC of a constant, not a hash of the key: it names the
	// key without helping anyone guess it.
	mac := hmac.New(sha256.New, raw)
	mac.Write([]byte("orderbot data key id"))
	return key{id: hex.EncodeToString(mac.Sum(nil))[:idLen], aead: aead}, nil
}

// ParseKey reads a key as ORDERBOT_DATA_KEY holds it: standard padded
// base64 of 32 bytes. The message never repeats the value.
func ParseKey(b64 string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, errors.New("data key is not standard base64")
	}
	if len(raw) != KeySize {
		return nil, fmt.Errorf("data key has %d bytes, want %d", len(raw), KeySize)
	}
	return raw, nil
}

// GenerateKey returns a new random key in the form ParseKey reads.
func GenerateKey() string {
	raw := make([]byte, KeySize)
	rand.Read(raw)
	return KeyText(raw)
}

// KeyText is raw in the form ParseKey reads.
func KeyText(raw []byte) string { return base64.StdEncoding.EncodeToString(raw) }

// Ring holds the key new values are sealed under and the older keys that
// still open values sealed before a rotation. A nil Ring seals nothing and
// opens only values without an envelope.
type Ring struct {
	current key
	byID    map[string]key
	hashKey []byte
}

// NewRing makes a ring sealing under current and opening under current and
// old (raw 32-byte keys).
func NewRing(current []byte, old ...[]byte) (*Ring, error) {
	cur, err := newKey(current)
	if err != nil {
		return nil, err
	}
	r := &Ring{current: cur, byID: map[string]key{cur.id: cur}}
	for _, raw := range old {
		k, err := newKey(raw)
		if err != nil {
			return nil, fmt.Errorf("old key: %w", err)
		}
		if _, ok := r.byID[k.id]; !ok {
			r.byID[k.id] = k
		}
	}
	return r, nil
}

// KeyID names the current key.
func (r *Ring) KeyID() string {
	if r == nil {
		return ""
	}
	return r.current.id
}

// Has reports whether the ring holds the key of that id.
func (r *Ring) Has(id string) bool {
	if r == nil {
		return false
	}
	_, ok := r.byID[id]
	return ok
}

// WithHashKey returns a copy of the ring whose Hash uses k. The hash key is
// not derived from the data key so that a rotation leaves every stored
// hash valid: it is a random secret kept sealed in the database.
func (r *Ring) WithHashKey(k []byte) *Ring {
	c := *r
	c.hashKey = bytes.Clone(k)
	return &c
}

// Seal encrypts s under the current key. The empty string stays empty: it
// says nothing, and blanked columns must read back as blank.
func (r *Ring) Seal(s string) string {
	if r == nil || s == "" {
		return s
	}
	return textPrefix + r.current.id + ":" + base64.StdEncoding.EncodeToString(r.seal([]byte(s)))
}

// SealBytes encrypts b under the current key; empty stays as it is.
func (r *Ring) SealBytes(b []byte) []byte {
	if r == nil || len(b) == 0 {
		return b
	}
	out := make([]byte, 0, len(blobPrefix)+idLen+1+len(b)+28)
	out = append(out, blobPrefix...)
	out = append(out, r.current.id...)
	out = append(out, ':')
	return append(out, r.seal(b)...)
}

func (r *Ring) seal(plain []byte) []byte {
	aead := r.current.aead
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, nil)
}

// Open decrypts a value Seal made; a value without an envelope is returned
// as it is.
func (r *Ring) Open(s string) (string, error) {
	id, body, ok := splitText(s)
	if !ok {
		return s, nil
	}
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return "", ErrCorrupt
	}
	plain, err := r.open(id, raw)
	return string(plain), err
}

// OpenBytes decrypts a blob SealBytes made; other blobs are returned as
// they are.
func (r *Ring) OpenBytes(b []byte) ([]byte, error) {
	id, body, ok := splitBlob(b)
	if !ok {
		return b, nil
	}
	return r.open(id, body)
}

func (r *Ring) open(id string, sealed []byte) ([]byte, error) {
	if r == nil {
		return nil, &KeyError{ID: id}
	}
	k, ok := r.byID[id]
	if !ok {
		return nil, &KeyError{ID: id}
	}
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrCorrupt
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// KeyIDOf names the key a text value is sealed under; ok is false for a
// value in clear.
func KeyIDOf(s string) (id string, ok bool) {
	id, _, ok = splitText(s)
	return id, ok
}

// KeyIDOfBytes is KeyIDOf for blobs.
func KeyIDOfBytes(b []byte) (id string, ok bool) {
	id, _, ok = splitBlob(b)
	return id, ok
}

func splitText(s string) (id, body string, ok bool) {
	rest, found := strings.CutPrefix(s, textPrefix)
	if !found || len(rest) < idLen+1 || rest[idLen] != ':' {
		return "", "", false
	}
	return rest[:idLen], rest[idLen+1:], true
}

func splitBlob(b []byte) (id string, body []byte, ok bool) {
	rest, found := bytes.CutPrefix(b, blobPrefix)
	if !found || len(rest) < idLen+1 || rest[idLen] != ':' {
		return "", nil, false
	}
	return string(rest[:idLen]), rest[idLen+1:], true
}

// Hash is the keyed hash of an exact-match search key (a normalized phone
// or name): hex of HMAC-SHA256 under the ring's hash key. The empty string
// hashes to the empty string, so blank columns match nothing.
func (r *Ring) Hash(s string) string {
	if s == "" {
		return ""
	}
	var k []byte
	if r != nil {
		k = r.hashKey
	}
	mac := hmac.New(sha256.New, k)
	mac.Write([]byte(s))
	return hex.EncodeToString(mac.Sum(nil))
}

// PhoneKey normalizes a phone number for Hash: its digits, so that
// "138 0013 8000" and "138-0013-8000" find the same customer.
func PhoneKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// NameKey normalizes a name for Hash: case and runs of spaces do not count.
func NameKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}
