package broadcast

import (
	"context"
	"fmt"

	"github.com/orderbot/orderbot/bot"
)

// Count is how many consenting customers the segment holds now, for a
// writer to see before saving a draft. The segment is checked as on
// Create, so a count is never shown for one that would be refused.
func (s *Service) Count(ctx context.Context, staff bot.Staff, seg Segment) (int, error) {
	if err := allowed(staff, bot.Agent, "counting an audience"); err != nil {
		return 0, err
	}
	var n int
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		ts, err := r.TierList(ctx)
		if err != nil {
			return fmt.Errorf("tiers: %w", err)
		}
		names := make([]string, len(ts))
		for i, t := range ts {
			names[i] = t.Name
		}
		if err := seg.check(names); err != nil {
			return err
		}
		if n, err = r.AudienceSize(ctx, seg); err != nil {
			return fmt.Errorf("audience size: %w", err)
		}
		return nil
	})
	return n, err
}
