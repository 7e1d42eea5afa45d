package webchat

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// chrome is the page's own text (header status, input, buttons, errors) in
// each language. The page starts in the customer's language and follows
// the language of the bot's messages when the customer switches.
func chrome() map[string]map[string]string {
	return map[string]map[string]string{
		"en": {
			"online": "Online · replies at once", "offline": "Connection lost, retrying…",
			"placeholder": "Type a message or a number…", "send": "Send", "attach": "Send a photo",
			"photo": "📷 Photo", "log": "Conversation", "message": "Message", "picture": "Product picture",
			"tooLarge": "Not sent: the photo is too large (at most 5 MB).",
			"tooMany":  "Not sent: too many messages. Please wait a moment and try again.",
			"refused":  "Not sent: this message cannot be handled.",
			"failed":   "Not sent: something went wrong. Please try again.",
		},
		"zh": {
			"online": "在线 · 即时回复", "offline": "连接中断，正在重试…",
			"placeholder": "输入消息或选项编号…", "send": "发送", "attach": "发送图片",
			"photo": "📷 图片", "log": "对话", "message": "消息", "picture": "商品图片",
			"tooLarge": "未发送：图片太大（最大 5 MB）。",
			"tooMany":  "未发送：消息太频繁，请稍候再试。",
			"refused":  "未发送：这条消息无法处理。",
			"failed":   "未发送：出了点问题，请重试。",
		},
	}
}

// chatPageData is what chat.html shows.
type chatPageData struct {
	Title, Initial, Logo, Lang string
	T                          map[string]string            // the chrome in Lang
	Chrome                     map[string]map[string]string // every language, for the script
}

func (h *Handler) chatPage(w http.ResponseWriter, r *http.Request) {
	cust, ok := h.customer(w, r)
	if !ok {
		return
	}
	lang := h.pageLang(r, cust)
	initial, _ := utf8.DecodeRuneInString(h.opts.Title)
	all := chrome()
	h.render(w, http.StatusOK, "chat.html", chatPageData{
		Title: h.opts.Title, Initial: strings.ToUpper(string(initial)), Logo: h.opts.Logo,
		Lang: lang, T: all[lang], Chrome: all,
	})
}

// pageLang is the language of the conversation once there is one (the
// customer may have switched), else the browser's.
func (h *Handler) pageLang(r *http.Request, cust string) string {
	if c, err := h.guard.CustomerByUser(r.Context(), bot.WebChat, cust); err == nil && c.Lang != "" {
		return chromeLang(c.Lang)
	}
	return chromeLang(preferredLanguage(r.Header.Get("Accept-Language")))
}

// chromeLang maps a language tag to the page's: Chinese for every Chinese
// variant, as the conversation does, English otherwise.
func chromeLang(tag string) string {
	t := strings.ToLower(tag)
	if t == "zh" || strings.HasPrefix(t, "zh-") || strings.HasPrefix(t, "zh_") {
		return "zh"
	}
	return "en"
}
