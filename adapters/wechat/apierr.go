package wechat

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/orderbot/orderbot/bot"
)

// The WeChat error codes the adapter acts on.
const (
	codeInvalidCredential = 40001 // access_token invalid or replaced
	codeInvalidOpenID     = 40003
	codeInvalidToken      = 40014 // malformed access_token
	codeTokenExpired      = 42001
	codeNotFollowing      = 43004
	codeBlocked           = 43019
	codeRefused           = 43101 // the user refuses this kind of message
	codeDailyQuota        = 45009 // the API's daily call quota is used up
	codeMinuteQuota       = 45011
	codeOutOfWindow       = 45015 // the customer-service window has closed
	codeOutOfCount        = 45047 // the window's message count is used up
)

// How long to wait after WeChat says the API's quota is used up: the
// minute quota frees up within a minute, the daily one not before the day
// ends, and trying every quarter of an hour costs nothing.
const (
	minuteQuotaWait = time.Minute
	dailyQuotaWait  = 15 * time.Minute
)

// errcodePattern finds the code in the library's errors, most of which are
// formatted strings rather than typed values.
var errcodePattern = regexp.MustCompile(`errcode\s*=\s*(-?\d+)`)

// tokenInText finds access tokens in error texts: the library's HTTP errors
// quote the whole URL, token included.
var tokenInText = regexp.MustCompile(`access_token=[^&\s"]*`)

// apiError is a failed API call with the token removed from its text, so
// that it can be logged and stored in the outbox.
type apiError struct {
	op   string
	code int64 // 0 when WeChat gave none (network, HTTP status)
	msg  string
}

func (e *apiError) Error() string { return "wechat " + e.op + ": " + e.msg }

func newAPIError(op string, err error) *apiError {
	code, _ := errCode(err)
	return &apiError{op: op, code: code, msg: tokenInText.ReplaceAllString(err.Error(), "access_token=REDACTED")}
}

// errCode reads WeChat's errcode from an error of the library.
func errCode(err error) (int64, bool) {
	if err == nil {
		return 0, false
	}
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return ce.ErrCode, true
	}
	m := errcodePattern.FindStringSubmatch(err.Error())
	if m == nil {
		return 0, false
	}
	code, perr := strconv.ParseInt(m[1], 10, 64)
	return code, perr == nil
}

func staleToken(code int64) bool {
	return code == codeInvalidCredential || code == codeInvalidToken || code == codeTokenExpired
}

// call runs one API call of the library. When WeChat refuses the
// access_token (it expired early, or someone forced a new one) the cached
// token is dropped and the call tried once more with a fresh one: the
// library itself never does. The library's calls take no context, so ctx
// only stops a call that has not started; the HTTP client's timeout bounds
// the rest.
func (a *Adapter) call(ctx context.Context, op string, fn func() error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("wechat %s: %w", op, err)
	}
	err := fn()
	if code, _ := errCode(err); staleToken(code) {
		a.log.Info("wechat access_token refused, fetching a new one", "op", op, "errcode", code)
		if derr := (tokenCache{a.svc}).deleteContext(ctx, a.tokenKey); derr != nil {
			return fmt.Errorf("wechat %s: %w", op, derr)
		}
		err = fn()
	}
	if err != nil {
		return classify(newAPIError(op, err))
	}
	return nil
}

// classify turns WeChat's refusals into what the dispatcher acts on.
func classify(e *apiError) error {
	switch e.code {
	case codeNotFollowing, codeBlocked, codeInvalidOpenID:
		return fmt.Errorf("%w: %w", bot.ErrUnreachable, e)
	case codeOutOfWindow, codeOutOfCount, codeRefused:
		return fmt.Errorf("%w: %w", bot.ErrHold, e)
	case codeMinuteQuota:
		return fmt.Errorf("%w: %w", e, &bot.RateLimitError{RetryAfter: minuteQuotaWait})
	case codeDailyQuota:
		return fmt.Errorf("%w: %w", e, &bot.RateLimitError{RetryAfter: dailyQuotaWait})
	}
	return e
}
