// Package logctx carries a request's identity (its request id, the order it
// is about) in a context.Context, and adds it to every log line made with
// that context. It depends on nothing but the standard library, so the core
// can name the order it is working on without knowing about HTTP or slog
// handlers.
package logctx

import (
	"context"
	"log/slog"
	"sync"
)

type key struct{}

// fields is what a context carries. It is shared by everything that uses the
// request's context, so an order named deep in the core also shows on the
// lines the HTTP layer writes after the handler returns.
type fields struct {
	mu        sync.Mutex
	requestID string
	order     string
}

func from(ctx context.Context) *fields {
	f, _ := ctx.Value(key{}).(*fields)
	return f
}

// WithRequestID starts a request's log fields with its id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, &fields{requestID: id})
}

// Scope returns ctx with log fields of its own unless it has some already
// (a request's), so that what is named under it, such as the order, shows
// on the lines logged with it afterwards.
func Scope(ctx context.Context) context.Context {
	if from(ctx) != nil {
		return ctx
	}
	return context.WithValue(ctx, key{}, &fields{})
}

// WithOrder names the order the work under ctx is about. Where ctx has log
// fields (a request's, or a Scope's) it records the number on them, so every
// later line made with them carries it (the last order named wins);
// elsewhere it returns a context that carries it.
func WithOrder(ctx context.Context, number string) context.Context {
	if f := from(ctx); f != nil {
		f.mu.Lock()
		f.order = number
		f.mu.Unlock()
		return ctx
	}
	return context.WithValue(ctx, key{}, &fields{order: number})
}

// RequestID returns the request id carried by ctx, "" when there is none.
func RequestID(ctx context.Context) string {
	f := from(ctx)
	if f == nil {
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requestID
}

// attrs are the log attributes ctx carries.
func attrs(ctx context.Context) []slog.Attr {
	f := from(ctx)
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []slog.Attr
	if f.requestID != "" {
		out = append(out, slog.String("request_id", f.requestID))
	}
	if f.order != "" {
		out = append(out, slog.String("order", f.order))
	}
	return out
}

// Handler adds the attributes a record's context carries (request_id,
// order) to every record before passing it on.
type Handler struct {
	next slog.Handler
}

// NewHandler wraps next.
func NewHandler(next slog.Handler) *Handler { return &Handler{next: next} }

// Enabled reports whether next handles records of level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle adds the context's attributes and passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if as := attrs(ctx); len(as) > 0 {
		r = r.Clone()
		r.AddAttrs(as...)
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs returns a Handler whose next handler has attrs.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as)}
}

// WithGroup returns a Handler whose next handler opens group.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name)}
}
