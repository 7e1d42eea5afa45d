package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/orderbot/orderbot/store/seal"
)

// hashKeySetting holds the secret of the keyed search hashes, sealed under
// the data key. It doubles as the key check: a start whose keys cannot
// open it is refused before anything is written under a second key.
const hashKeySetting = "data_hash_key"

// ErrWrongKey says the configured data keys are not the ones the
// database is encrypted with.
var ErrWrongKey = errors.New("wrong data key")

// UseKeys makes the store seal personal data under ring's current key and
// open it under any of ring's keys. On a database without encrypted data
// it creates the search-hash secret; on one with, it checks that ring holds
// the key that secret is sealed under and refuses (ErrWrongKey) otherwise.
// Call it once, after Migrate and before the store is used.
func (s *Store) UseKeys(ctx context.Context, ring *seal.Ring) error {
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	// Replicas starting together on an empty database all adopt the first
	// one's secret.
	stored, err := s.SetSettingIfAbsent(ctx, hashKeySetting, ring.Seal(base64.StdEncoding.EncodeToString(raw)))
	if err != nil {
		return fmt.Errorf("data key: %w", err)
	}
	hashKey, err := openHashKey(ring, stored)
	if err != nil {
		return err
	}
	s.repo.keys = ring.WithHashKey(hashKey)
	return nil
}

// openHashKey opens the stored search-hash secret, telling a missing key
// from a damaged value.
func openHashKey(ring *seal.Ring, stored string) ([]byte, error) {
	id, sealed := seal.KeyIDOf(stored)
	if !sealed {
		return nil, fmt.Errorf("data key: setting %s is not sealed", hashKeySetting)
	}
	if !ring.Has(id) {
		return nil, fmt.Errorf("%w: the database is encrypted under data key %s, and ORDERBOT_DATA_KEY is key %s: start with the database's key (or name it in ORDERBOT_DATA_KEY_OLD while rotating)", ErrWrongKey, id, ring.KeyID())
	}
	text, err := ring.Open(stored)
	if err != nil {
		return nil, fmt.Errorf("%w: the data key %s does not open this database's key check: %v", ErrWrongKey, id, err)
	}
	key, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("data key: setting %s is damaged", hashKeySetting)
	}
	return key, nil
}

// seal, open and hash are the repo's ends of its keys.

func (r *repo) seal(s string) string { return r.keys.Seal(s) }

func (r *repo) sealBytes(b []byte) []byte { return r.keys.SealBytes(b) }

func (r *repo) open(s string) (string, error) { return r.keys.Open(s) }

func (r *repo) openBytes(b []byte) ([]byte, error) { return r.keys.OpenBytes(b) }

func (r *repo) phoneHash(phone string) string { return r.keys.Hash(seal.PhoneKey(phone)) }

func (r *repo) nameHash(name string) string { return r.keys.Hash(seal.NameKey(name)) }

// openAll opens each of the values in place, stopping at the first error.
func (r *repo) openAll(vals ...*string) error {
	for _, v := range vals {
		plain, err := r.keys.Open(*v)
		if err != nil {
			return err
		}
		*v = plain
	}
	return nil
}
