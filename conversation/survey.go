package conversation

import (
	"strconv"
	"strings"
)

// The satisfaction survey (满意度调查): one question with the scores 1–5 as
// options, then an optional comment. The core sends it on its own, so its
// options carry the survey's id ("survey:12:5") and a press counts however
// old the message is; typed answers are read with ReadScore.

// SurveyQuestion asks how an order (or, with request set, an after-sales
// request of it) went, with the scores as options, lowest first so that
// option n is score n.
func SurveyQuestion(lang Lang, id int64, order, request string) Reply {
	t := newTurn(Env{}, State{Lang: lang}, English)
	text := t.tr(msgSurveyOrder, order)
	if request != "" {
		text = t.tr(msgSurveyRequest, request, order)
	}
	opts := make([]Option, 0, 5)
	for n := 1; n <= 5; n++ {
		opts = append(opts, Option{Key: surveyKey(id, strconv.Itoa(n)), Label: t.tr(scoreLabels[n-1])})
	}
	return Reply{Text: text + "\n\n" + t.tr(msgSurveyHow), Options: opts}
}

var scoreLabels = [5]msgKey{msgScore1, msgScore2, msgScore3, msgScore4, msgScore5}

func surveyKey(id int64, choice string) string {
	return "survey:" + strconv.FormatInt(id, 10) + ":" + choice
}

// SurveyButton reads a survey option's key: the survey's id and the score
// chosen, or 0 for the comment's skip option.
func SurveyButton(key string) (id int64, score int, ok bool) {
	rest, found := strings.CutPrefix(key, "survey:")
	if !found {
		return 0, 0, false
	}
	idText, choice, found := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !found || err != nil || id <= 0 {
		return 0, 0, false
	}
	if choice == "skip" {
		return id, 0, true
	}
	score, err = strconv.Atoi(choice)
	if err != nil || score < 1 || score > 5 {
		return 0, 0, false
	}
	return id, score, true
}

// ScoreReading is what a typed survey answer turned out to be.
type ScoreReading int

// The readings of a typed answer.
const (
	NotAScore  ScoreReading = iota // words that are not an answer
	Score                          // a score from 1 to 5
	OutOfRange                     // a number, but not 1 to 5 (0, 6, 10)
)

// scoreWords are the words customers answer with, both languages.
func scoreWords() map[string]int {
	return map[string]int{
		"很不满意": 1, "非常不满意": 1, "不满意": 2, "一般": 3, "还行": 3, "满意": 4, "很满意": 5, "非常满意": 5,
		"terrible": 1, "very bad": 1, "bad": 2, "poor": 2, "ok": 3, "okay": 3, "fine": 3,
		"good": 4, "great": 5, "excellent": 5, "very good": 5,
	}
}

// ReadScore reads a typed survey answer: a number ("5", "5分", "４"), a
// word (很满意, great), or either as an option's label ("5. 很满意").
func ReadScore(text string) (int, ScoreReading) {
	norm := strings.TrimSpace(normalize(text))
	for _, suffix := range []string{"分", "星", " stars", " star"} {
		norm = strings.TrimSuffix(norm, suffix)
	}
	if n, ok := scoreWords()[norm]; ok {
		return n, Score
	}
	num, word, _ := strings.Cut(norm, ".")
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil {
		return 0, NotAScore
	}
	if w, ok := scoreWords()[strings.TrimSpace(word)]; word != "" && (!ok || w != n) {
		return 0, NotAScore
	}
	if n < 1 || n > 5 {
		return 0, OutOfRange
	}
	return n, Score
}

// IsCommand reports whether the text is one of the words that work in
// every state (menu, 订单 100023, 退订…), which always reach the conversation.
func IsCommand(text string) bool {
	_, ok := parseGlobal(normalize(text))
	return ok
}

// SurveyAnswer is what the customer is told after answering a survey.
type SurveyAnswer int

// The answers to a survey's answers.
const (
	SurveyThanks       SurveyAnswer = iota + 1 // a score of 3 to 5: thanks, and a comment if they like
	SurveySorry                                // 1 or 2: sorry, tell us what went wrong, staff will look
	SurveyAlready                              // this survey was answered before: counted once
	SurveyInvalid                              // 0, 6 or words: answer 1 to 5
	SurveyCommentSaved                         // the comment is kept
	SurveySkipped                              // no comment
)

// SurveyReply words the answer; id gives the comment's skip option.
func SurveyReply(lang Lang, id int64, a SurveyAnswer) Reply {
	t := newTurn(Env{}, State{Lang: lang}, English)
	skip := []Option{{Key: surveyKey(id, "skip"), Label: t.tr(msgOptSurveySkip)}}
	switch a {
	case SurveyThanks:
		return Reply{Text: t.tr(msgSurveyThanks), Options: skip}
	case SurveySorry:
		return Reply{Text: t.tr(msgSurveySorry), Options: skip}
	case SurveyAlready:
		return Reply{Text: t.tr(msgSurveyAlready)}
	case SurveyInvalid:
		return Reply{Text: t.tr(msgSurveyInvalid)}
	case SurveyCommentSaved:
		return Reply{Text: t.tr(msgSurveyCommentSaved)}
	}
	return Reply{Text: t.tr(msgSurveySkipped)}
}

// Survey texts.
const (
	msgSurveyOrder        msgKey = "survey_order"
	msgSurveyRequest      msgKey = "survey_request"
	msgSurveyHow          msgKey = "survey_how"
	msgScore1             msgKey = "score_1"
	msgScore2             msgKey = "score_2"
	msgScore3             msgKey = "score_3"
	msgScore4             msgKey = "score_4"
	msgScore5             msgKey = "score_5"
	msgOptSurveySkip      msgKey = "opt_survey_skip"
	msgSurveyThanks       msgKey = "survey_thanks"
	msgSurveySorry        msgKey = "survey_sorry"
	msgSurveyAlready      msgKey = "survey_already"
	msgSurveyInvalid      msgKey = "survey_invalid"
	msgSurveyCommentSaved msgKey = "survey_comment_saved"
	msgSurveySkipped      msgKey = "survey_skipped"
	msgCartReminder       msgKey = "cart_reminder"
	msgCartReminderOne    msgKey = "cart_reminder_one"
	msgFollowUpHint       msgKey = "follow_up_hint"
	msgFollowUpThanks     msgKey = "follow_up_thanks"
)

func surveyTextsEN() map[msgKey]string {
	return map[msgKey]string{
		msgSurveyOrder:        "How did we do with your order %s?",
		msgSurveyRequest:      "Your after-sales request %s (order %s) has been resolved. How did we do?",
		msgSurveyHow:          "Please rate us from 1 (terrible) to 5 (great): tap a button or type the number.",
		msgScore1:             "Terrible",
		msgScore2:             "Bad",
		msgScore3:             "OK",
		msgScore4:             "Good",
		msgScore5:             "Great",
		msgOptSurveySkip:      "Skip",
		msgSurveyThanks:       "Thank you for rating us! Anything you'd like to add? Just type it here, or skip.",
		msgSurveySorry:        "We're sorry it wasn't better. Please tell us what went wrong: a member of our team will look into it and get back to you.",
		msgSurveyAlready:      "Thanks, we already have your rating for this one.",
		msgSurveyInvalid:      "Please answer with a number from 1 (terrible) to 5 (great). To do something else, type \"menu\".",
		msgSurveyCommentSaved: "Thank you, we've passed your comments on to the team.",
		msgSurveySkipped:      "Thank you for your feedback!",
		msgCartReminder:       "You left %s items in your cart. They're still there for you: type \"cart\" to see them or check out. (Type \"unsubscribe\" to stop messages like this.)",
		msgCartReminderOne:    "You left %s item in your cart. It's still there for you: type \"cart\" to see it or check out. (Type \"unsubscribe\" to stop messages like this.)",
		msgFollowUpHint:       "Just reply here to tell us; type \"menu\" for anything else.",
		msgFollowUpThanks:     "Thank you for letting us know! We've passed it on to the team. Type \"human\" if you'd like to talk to someone.",
	}
}

func surveyTextsZH() map[msgKey]string {
	return map[msgKey]string{
		msgSurveyOrder:        "您的订单 %s 购物体验如何？",
		msgSurveyRequest:      "您的售后申请 %s（订单 %s）已处理完毕，对这次服务还满意吗？",
		msgSurveyHow:          "请为我们打分：1 分为很不满意，5 分为很满意。点选下方选项或直接回复数字即可。",
		msgScore1:             "很不满意",
		msgScore2:             "不满意",
		msgScore3:             "一般",
		msgScore4:             "满意",
		msgScore5:             "很满意",
		msgOptSurveySkip:      "跳过",
		msgSurveyThanks:       "感谢您的评价！还有什么想对我们说的吗？直接回复即可，也可以跳过。",
		msgSurveySorry:        "很抱歉这次没能让您满意。请告诉我们哪里做得不好，我们的工作人员会跟进处理并回复您。",
		msgSurveyAlready:      "谢谢，这一单您已经评价过了。",
		msgSurveyInvalid:      "请回复 1 到 5 之间的数字（1 为很不满意，5 为很满意）。如需办理其他事情，请回复“菜单”。",
		msgSurveyCommentSaved: "谢谢您的宝贵意见，我们已转达给相关同事。",
		msgSurveySkipped:      "感谢您的反馈！",
		msgCartReminder:       "您的购物车里还有 %s 件商品，我们一直为您留着。回复“购物车”即可查看或结算。（不想再收到此类消息，请回复“退订”。）",
		msgCartReminderOne:    "您的购物车里还有 %s 件商品，我们一直为您留着。回复“购物车”即可查看或结算。（不想再收到此类消息，请回复“退订”。）",
		msgFollowUpHint:       "直接回复即可告诉我们；办理其他事情请回复“菜单”。",
		msgFollowUpThanks:     "谢谢您的反馈！我们已转达给相关同事。如需人工客服，请回复“人工”。",
	}
}

// CartReminder reminds a customer of the items left in their cart, and how
// to stop such messages.
func CartReminder(lang Lang, items int) Reply {
	t := newTurn(Env{}, State{Lang: lang}, English)
	return Reply{Text: t.tr(plural(items, msgCartReminderOne, msgCartReminder), itoa(items))}
}

// FollowUpVisit is a follow-up visit (回访): the shop's own text, and how
// to answer it.
func FollowUpVisit(lang Lang, text string) Reply {
	t := newTurn(Env{}, State{Lang: lang}, English)
	return Reply{Text: strings.TrimSpace(text) + "\n\n" + t.tr(msgFollowUpHint)}
}

// FollowUpThanks thanks the customer for answering a follow-up visit.
func FollowUpThanks(lang Lang) Reply {
	t := newTurn(Env{}, State{Lang: lang}, English)
	return Reply{Text: t.tr(msgFollowUpThanks)}
}
