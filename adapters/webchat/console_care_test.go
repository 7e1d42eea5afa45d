package webchat

import (
	"fmt"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
)

// TestConsoleCustomerCare shows a customer's consent to promotions and their
// survey scores and comments on their page.
func TestConsoleCustomerCare(t *testing.T) {
	eachEnv(t, Options{Lang: "zh"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		e.login(c, "alice", alicePassword)
		o := e.placeOrder(e.customer(e.client()))
		url := fmt.Sprintf("/staff/customers/%d", o.CustomerID)
		contains(t, e.get(c, url), "客户关怀", "未订阅", "暂无满意度调查。")

		ctx, at := t.Context(), time.Now().UTC().Truncate(time.Second)
		if err := e.st.SaveConsent(ctx, care.Consent{CustomerID: o.CustomerID, Granted: true, At: at, Channel: bot.WebChat}); err != nil {
			t.Fatal(err)
		}
		sv := care.Survey{CustomerID: o.CustomerID, Kind: care.KindOrder, ItemID: o.ID, OrderNumber: o.Number,
			Channel: bot.WebChat, SentAt: at, Stage: care.StageAsked}
		if err := e.st.CreateSurvey(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		sv.Score, sv.Comment, sv.AnsweredAt, sv.Stage = 2, "茶叶受潮了", at, care.StageDone
		if err := e.st.UpdateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		contains(t, e.get(c, url), "已订阅", `class="score">2 / 5<`, "茶叶受潮了", o.Number, "暂无回访。")
		f := care.FollowUp{CustomerID: o.CustomerID, Key: "staff:test", TextZH: "问题解决了吗？", TextEN: "Sorted?",
			DueAt: at, SentAt: at, CreatedBy: "Alice (webchat)"}
		if err := e.st.CreateFollowUp(ctx, &f); err != nil {
			t.Fatal(err)
		}
		f.Answer, f.AnsweredAt = "解决了", at
		if err := e.st.UpdateFollowUp(ctx, f); err != nil {
			t.Fatal(err)
		}
		contains(t, e.get(c, url), "问题解决了吗？", `class="answer">解决了<`)
	})
}
