package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeBotAPI speaks enough of the Telegram Bot API for orderbot to run
// against it, and tells the simulated customer of a chat when the bot
// answered it: that moment is what "delivery lag" is measured to.
type fakeBotAPI struct {
	nextMessage atomic.Int64
	calls       atomic.Int64
	sends       atomic.Int64 // messages posted: what Telegram's limits count
	edits       atomic.Int64 // messages edited in place
	answers     atomic.Int64 // callback queries answered

	mu      sync.Mutex
	waiters map[int64]chan botReply // chat id → the customer waiting for a reply
}

// botReply is one message the bot sent or edited in a chat.
type botReply struct {
	at        time.Time
	messageID int64
	keys      []string // callback data of the inline buttons on it
}

func newFakeBotAPI() *fakeBotAPI {
	return &fakeBotAPI{waiters: map[int64]chan botReply{}}
}

// expect registers the chat's customer as waiting; replies to a chat nobody
// waits for (a second part, a notice) are counted and dropped.
func (f *fakeBotAPI) expect(chat int64) <-chan botReply {
	ch := make(chan botReply, 16)
	f.mu.Lock()
	f.waiters[chat] = ch
	f.mu.Unlock()
	return ch
}

func (f *fakeBotAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	at := time.Now()
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		r.ParseForm()
	}
	switch method {
	case "getMe":
		writeResult(w, `{"id":1,"is_bot":true,"first_name":"Load","username":"load_bot"}`)
	case "sendMessage", "sendPhoto", "editMessageText", "editMessageReplyMarkup", "editMessageCaption":
		if strings.HasPrefix(method, "edit") {
			f.edits.Add(1)
		} else {
			f.sends.Add(1)
		}
		id := f.nextMessage.Add(1)
		chat, _ := strconv.ParseInt(r.FormValue("chat_id"), 10, 64)
		if mid, err := strconv.ParseInt(r.FormValue("message_id"), 10, 64); err == nil && mid > 0 {
			id = mid // an edit keeps the message's id
		}
		f.deliver(chat, botReply{at: at, messageID: id, keys: buttonKeys(r.FormValue("reply_markup"))})
		writeResult(w, fmt.Sprintf(`{"message_id":%d,"date":%d,"chat":{"id":%d,"type":"private"},"text":"ok"}`, id, at.Unix(), chat))
	case "getUpdates":
		writeResult(w, `[]`)
	case "answerCallbackQuery":
		f.answers.Add(1)
		writeResult(w, `true`)
	default: // setWebhook, deleteWebhook, setMyCommands, answerCallbackQuery, …
		writeResult(w, `true`)
	}
}

// apiCalls is what the bot asked of the Bot API.
type apiCalls struct{ sends, edits, answers int64 }

func (f *fakeBotAPI) count() apiCalls {
	return apiCalls{f.sends.Load(), f.edits.Load(), f.answers.Load()}
}

func (a apiCalls) minus(b apiCalls) apiCalls {
	return apiCalls{a.sends - b.sends, a.edits - b.edits, a.answers - b.answers}
}

func (f *fakeBotAPI) deliver(chat int64, rep botReply) {
	f.mu.Lock()
	ch := f.waiters[chat]
	f.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- rep:
	default:
	}
}

func writeResult(w http.ResponseWriter, result string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"ok":true,"result":%s}`, result)
}

// buttonKeys lists the callback data of an inline keyboard.
func buttonKeys(markup string) []string {
	if markup == "" {
		return nil
	}
	var kb struct {
		InlineKeyboard [][]struct {
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	}
	if json.Unmarshal([]byte(markup), &kb) != nil {
		return nil
	}
	var keys []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData != "" {
				keys = append(keys, b.CallbackData)
			}
		}
	}
	return keys
}
