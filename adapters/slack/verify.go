package slack

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/slack-go/slack"
)

// verified reads a request's body within the size limit and checks
// Slack's signature over it (HMAC-SHA256 with the signing secret, the
// timestamp at most 5 minutes off, compared in constant time) before next
// sees any of it. A refused request changes nothing and its body is never
// logged.
func (a *Adapter) verified(next func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Headers and timestamp first: a request that cannot be genuine
		// is refused before its body is read.
		sv, err := slack.NewSecretsVerifier(r.Header, a.cfg.SigningSecret)
		if err != nil {
			a.refuse(w, r, err)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		if _, err := sv.Write(body); err != nil {
			a.refuse(w, r, err)
			return
		}
		if err := sv.Ensure(); err != nil {
			a.refuse(w, r, err)
			return
		}
		next(w, r, body)
	})
}

func (a *Adapter) refuse(w http.ResponseWriter, r *http.Request, err error) {
	a.log.Warn("slack: request refused", "path", r.URL.Path, "remote", r.RemoteAddr, "reason", err)
	http.Error(w, "invalid request signature", http.StatusUnauthorized)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "cannot encode response", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
