package webchat

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/orderbot/orderbot/bot"
)

// SessionStaff lets other parts of the site (the admin API) act for the
// console's logged-in staff member. ok is false when the request carries
// no live session. A request that changes anything must also carry the
// page's CSRF token in the X-CSRF-Token header, as the console's own calls
// do: the cookie alone would be sent along with a request another site
// makes the browser send. Without it the answer is bot.ErrForbidden.
func (h *Handler) SessionStaff(r *http.Request) (staff bot.Staff, ok bool, err error) {
	if c, err := r.Cookie(sessionCookie); err != nil || c.Value == "" {
		return bot.Staff{}, false, nil
	}
	ctx := r.Context()
	st, cookie, err := h.staffOf(ctx, r)
	if errors.Is(err, errBadSession) || errors.Is(err, bot.ErrNotFound) {
		return bot.Staff{}, false, nil
	}
	if err != nil {
		return bot.Staff{}, false, fmt.Errorf("console session: %w", err)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return st, true, nil
	}
	key, err := h.sessionKey(ctx)
	if err != nil {
		return bot.Staff{}, false, fmt.Errorf("console session: %w", err)
	}
	got := r.Header.Get(csrfHeader)
	if got == "" || !signedEqual(got, csrfToken(staffRequest{staff: st, cookie: cookie, key: key})) {
		h.log.Warn("webchat: API request with a session but without a valid CSRF token", "user", st.UserID, "path", r.URL.Path)
		return bot.Staff{}, false, fmt.Errorf("%w: send the console's CSRF token in the %s header", bot.ErrForbidden, csrfHeader)
	}
	return st, true, nil
}
