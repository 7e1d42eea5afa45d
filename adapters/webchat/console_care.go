package webchat

import (
	"context"
	"fmt"

	"github.com/orderbot/orderbot/bot/care"
)

// careRecords is what the customer page shows of customer care: an ability
// of the Records, detected, so records without care show no such section.
type careRecords interface {
	ConsentsOf(ctx context.Context, customerIDs []int64) (map[int64]care.Consent, error)
	// SurveysOfCustomer returns the customer's latest surveys, newest first.
	SurveysOfCustomer(ctx context.Context, customerID int64, limit int) ([]care.Survey, error)
	// FollowUpsOfCustomer returns the customer's latest follow-up visits.
	FollowUpsOfCustomer(ctx context.Context, customerID int64, limit int) ([]care.FollowUp, error)
}

// careView is the customer's consent to promotions, their surveys and
// their follow-up visits with the answers.
type careView struct {
	Consent   care.Consent
	Surveys   []care.Survey
	FollowUps []care.FollowUp
}

// maxSurveys is how many of a customer's surveys their page shows.
const maxSurveys = 20

func (h *Handler) careOf(ctx context.Context, id int64) (*careView, error) {
	rec, ok := h.opts.Records.(careRecords)
	if !ok {
		return nil, nil
	}
	consents, err := rec.ConsentsOf(ctx, []int64{id})
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	surveys, err := rec.SurveysOfCustomer(ctx, id, maxSurveys)
	if err != nil {
		return nil, fmt.Errorf("surveys: %w", err)
	}
	visits, err := rec.FollowUpsOfCustomer(ctx, id, maxSurveys)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	return &careView{Consent: consents[id], Surveys: surveys, FollowUps: visits}, nil
}

// careZH is the Chinese of the customer page's care section.
func careZH() map[string]string {
	return map[string]string{
		"Customer care": "客户关怀", "Promotions": "促销消息", "Subscribed": "已订阅", "Not subscribed": "未订阅",
		"Survey sent": "调查发送时间", "Score": "评分", "Comment": "留言", "No surveys.": "暂无满意度调查。",
		"Follow-up visits": "回访", "Due": "计划时间", "Sent": "发送时间", "Message": "内容", "Answer": "客户回复",
		"By": "发起人", "No follow-up visits.": "暂无回访。",
	}
}
