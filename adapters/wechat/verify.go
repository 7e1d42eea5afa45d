package wechat

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/util"
)

// What a push must meet before anything of it is parsed or recorded.
const (
	maxBody = 64 << 10
	// timestampWindow is how far a push's timestamp may be from our clock;
	// WeChat sends them at once, so an older one is a replay.
	timestampWindow = 5 * time.Minute
	// maxNonce and maxEcho bound what is echoed or stored of the query;
	// WeChat's are a dozen or two characters.
	maxNonce = 64
	maxEcho  = 128
)

// errRefused marks a request that did not come from WeChat, and
// errUnavailable one that could not be checked for want of the database.
var (
	errRefused     = errors.New("not a verified WeChat request")
	errUnavailable = errors.New("cannot check the request now")
)

// checkQuery verifies what WeChat signs in the query of every request: the
// timestamp is recent and signature is SHA1 over token, timestamp and
// nonce. Signatures are compared in constant time.
func (a *Adapter) checkQuery(q url.Values) error {
	ts, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
	if err != nil {
		return fmt.Errorf("%w: no timestamp", errRefused)
	}
	if d := a.now().Sub(time.Unix(ts, 0)); d > timestampWindow || d < -timestampWindow {
		return fmt.Errorf("%w: timestamp %s off", errRefused, d.Round(time.Second))
	}
	nonce := q.Get("nonce")
	if nonce == "" || len(nonce) > maxNonce {
		return fmt.Errorf("%w: bad nonce", errRefused)
	}
	if !sameSignature(q.Get("signature"), util.Signature(a.cfg.Token, q.Get("timestamp"), nonce)) {
		return fmt.Errorf("%w: bad signature", errRefused)
	}
	return nil
}

// checkMsgSignature verifies safe mode's signature, which also covers the
// encrypted message.
func (a *Adapter) checkMsgSignature(q url.Values, encrypted string) error {
	want := util.Signature(a.cfg.Token, q.Get("timestamp"), q.Get("nonce"), encrypted)
	if !sameSignature(q.Get("msg_signature"), want) {
		return fmt.Errorf("%w: bad msg_signature", errRefused)
	}
	return nil
}

func sameSignature(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// bindNonce closes a gap of plain mode, whose signature does not cover the
// body: anyone who saw a signed URL (in a proxy's access log, say) could
// send another body with it for five minutes. The first body seen with a
// timestamp and nonce is bound to them in one atomic step, so that of
// bodies arriving together exactly one is taken; another body with them is
// refused. The same body again is WeChat's retry, which the dedup answers.
// The binding outlives the timestamp window, after which checkQuery
// refuses the URL anyway.
func (a *Adapter) bindNonce(ctx context.Context, q url.Values, body []byte) error {
	sum := sha256.Sum256(body)
	digest := hex.EncodeToString(sum[:])
	key := cachePrefix + "nonce:" + q.Get("timestamp") + ":" + q.Get("nonce")
	bound, err := a.svc.CacheAdd(ctx, key, digest, 2*timestampWindow)
	if err != nil {
		return fmt.Errorf("%w: bind nonce: %w", errUnavailable, err)
	}
	if bound != digest {
		return fmt.Errorf("%w: nonce reused with another body", errRefused)
	}
	return nil
}

// serveVerify answers the check the 公众平台 makes when the server URL is
// saved: a signed GET whose echostr must be returned as it is.
func (a *Adapter) serveVerify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if err := a.checkQuery(q); err != nil {
		a.refuse(w, http.StatusUnauthorized, err)
		return
	}
	echo := q.Get("echostr")
	if echo == "" || len(echo) > maxEcho {
		a.refuse(w, http.StatusBadRequest, errors.New("echostr missing or too long"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	io.WriteString(w, echo)
}

// refuse answers a request that is not taken. Only the reason is logged:
// never the body, nor the query, which names the customer.
func (a *Adapter) refuse(w http.ResponseWriter, status int, reason error) {
	level := slog.LevelWarn
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	a.log.Log(context.Background(), level, "wechat request refused", "status", status, "reason", reason)
	http.Error(w, http.StatusText(status), status)
}
