package wechat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/credential"

	"github.com/orderbot/orderbot/bot"
)

// cacheTimeout bounds one cache access: the library's cache interface has
// no context, and a token lookup must not hang a send.
const cacheTimeout = 5 * time.Second

// cachePrefix keeps the library's keys apart from other users of the
// shared cache.
const cachePrefix = "wechat:"

// tokenCache is the library's cache on the core's shared cache, so that
// every replica uses the one access_token instead of each fetching its own.
type tokenCache struct{ svc Service }

var _ cache.Cache = tokenCache{}

// stableTokenKey is the name under which the library's stable token handle
// caches the access_token (credential.StableAccessToken builds it this way).
func stableTokenKey(appID string) string {
	return fmt.Sprintf("%s_stable_access_token_%s", credential.CacheKeyOfficialAccountPrefix, appID)
}

// Get returns the cached string, or nil when there is none; the library
// treats nil as "fetch a new one", which is also right when the database
// cannot be read.
func (c tokenCache) Get(key string) interface{} {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	v, err := c.svc.CacheGet(ctx, cachePrefix+key)
	if err != nil {
		return nil
	}
	return v
}

// Set caches a string value; the library only stores tokens.
func (c tokenCache) Set(key string, val interface{}, timeout time.Duration) error {
	s, ok := val.(string)
	if !ok {
		return fmt.Errorf("wechat cache: %s: only strings are cached, got %T", key, val)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.svc.CachePut(ctx, cachePrefix+key, s, timeout)
}

// IsExist reports whether an unexpired value is cached.
func (c tokenCache) IsExist(key string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	_, err := c.svc.CacheGet(ctx, cachePrefix+key)
	return err == nil
}

// Delete drops a cached value.
func (c tokenCache) Delete(key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), cacheTimeout)
	defer cancel()
	return c.deleteContext(ctx, key)
}

func (c tokenCache) deleteContext(ctx context.Context, key string) error {
	err := c.svc.CacheDelete(ctx, cachePrefix+key)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("wechat cache: delete %s: %w", key, err)
	}
	return nil
}
