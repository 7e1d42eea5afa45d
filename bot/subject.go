package bot

import (
	"context"
	"fmt"
)

// Subject names the item of a card for staff, in the staff language: the
// order ("订单 100001"), the cancel request, the after-sales request
// ("售后 S100008") or, for a handoff, the customer. Adapters use it where
// they only hold the card's ref (a prompt for a reason), so that staff
// never read the ref itself. An unknown ref is ErrNotFound.
func (s *Service) Subject(ctx context.Context, cardRef string) (string, error) {
	kind, id, err := parseRef(cardRef)
	if err != nil {
		return "", err
	}
	w := s.words()
	switch kind {
	case refOrder, refCancel:
		o, err := s.store.Order(ctx, id)
		if err != nil {
			return "", fmt.Errorf("subject of %s: %w", cardRef, err)
		}
		if kind == refCancel {
			return w.Sayf("the cancel request for order %s", "订单 %s 的取消申请", o.Number), nil
		}
		return w.Sayf("order %s", "订单 %s", o.Number), nil
	case refAfterSales:
		r, err := s.store.AfterSales(ctx, id)
		if err != nil {
			return "", fmt.Errorf("subject of %s: %w", cardRef, err)
		}
		return w.Sayf("after-sales request %s", "售后 %s", r.Number), nil
	}
	h, err := s.store.Handoff(ctx, id)
	if err != nil {
		return "", fmt.Errorf("subject of %s: %w", cardRef, err)
	}
	c, err := s.store.Customer(ctx, h.CustomerID)
	if err != nil {
		return "", fmt.Errorf("subject of %s: %w", cardRef, err)
	}
	return w.customerLabel(c), nil
}
