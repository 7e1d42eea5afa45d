package webchat

import (
	"context"
	"time"
)

// mediaTTL is how long an uploaded photo is kept when no request refers to
// it: long enough to finish an after-sales request begun with it.
const mediaTTL = 24 * time.Hour

// pruneEvery is how often Run prunes.
const pruneEvery = time.Hour

// Prune deletes what the web chat's limits and sessions no longer need
// (uses older than every window, expired poll places and sessions) and the
// photos no request refers to after a day. Any replica may run it.
func (h *Handler) Prune(ctx context.Context) {
	now := h.opts.Clock()
	n, err := h.guard.PruneGuard(ctx, now, now.Add(-max(time.Hour, h.opts.Limits.LoginWindow)))
	if err != nil {
		h.log.Error("webchat: prune limits and sessions", "err", err)
	}
	m, err := h.guard.PruneUnattachedMedia(ctx, now.Add(-mediaTTL))
	if err != nil {
		h.log.Error("webchat: prune photos", "err", err)
	}
	n += h.pruneHistory(ctx, now)
	if n+m > 0 {
		h.log.Info("webchat: pruned", "rows", n, "photos", m)
	}
}

// Run prunes at once and then every hour until ctx ends.
func (h *Handler) Run(ctx context.Context) error {
	t := time.NewTicker(pruneEvery)
	defer t.Stop()
	for {
		h.Prune(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
