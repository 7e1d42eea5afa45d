package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/orderbot/orderbot/bot"
)

// The error codes of the API's error body.
const (
	codeNotFound      = "not_found"
	codeInvalid       = "invalid"
	codeUnauthorized  = "unauthorized"
	codeForbidden     = "forbidden"
	codeConflict      = "conflict"
	codeUnprocessable = "unprocessable"
	codeInternal      = "internal"
)

// apiError is an answer other than success, with its HTTP status.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func invalid(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, codeInvalid, fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, codeNotFound, fmt.Sprintf(format, args...)}
}

func unprocessable(format string, args ...any) *apiError {
	return &apiError{http.StatusUnprocessableEntity, codeUnprocessable, fmt.Sprintf(format, args...)}
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.status, errorBody{Error: errorDetail{Code: e.code, Message: e.message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers with err: an *apiError as it is, the core's sentinels by
// their meaning, anything else as a 500 that names nothing internal.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	switch {
	case errors.As(err, &ae):
	case errors.Is(err, bot.ErrNotFound):
		ae = notFound("not found")
	case errors.Is(err, bot.ErrForbidden):
		msg := "the token's role cannot do this"
		if _, detail, ok := strings.Cut(err.Error(), bot.ErrForbidden.Error()+": "); ok {
			msg += ": " + detail
		}
		ae = &apiError{http.StatusForbidden, codeForbidden, msg}
	case errors.Is(err, bot.ErrInvalid):
		detail := bot.InvalidDetail(err)
		if detail == "" {
			detail = "not valid here"
		}
		ae = unprocessable("%s", detail)
	default:
		if r.Context().Err() == nil {
			h.log.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		ae = &apiError{http.StatusInternalServerError, codeInternal, "something went wrong, please try again"}
	}
	writeError(w, ae)
}
