package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeFiles speaks Slack's three-step file upload: files.getUploadURLExternal,
// a multipart POST to the URL it hands out, files.completeUploadExternal.
type fakeFiles struct {
	srv *httptest.Server

	mu       sync.Mutex
	uploaded []byte
	uploads  int
	filename string
	channel  string
	comment  string
	files    string
}

func newFakeFiles(t *testing.T) *fakeFiles {
	f := &fakeFiles{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/files.getUploadURLExternal", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.filename = r.PostForm.Get("filename")
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "file_id": "F1", "upload_url": f.srv.URL + "/api/upload/F1"})
	})
	mux.HandleFunc("POST /api/upload/F1", func(w http.ResponseWriter, r *http.Request) {
		file, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(file)
		f.mu.Lock()
		f.uploaded = b
		f.uploads++
		f.mu.Unlock()
		w.Write([]byte("OK - 1234"))
	})
	mux.HandleFunc("POST /api/files.completeUploadExternal", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.channel, f.comment, f.files = r.PostForm.Get("channel_id"), r.PostForm.Get("initial_comment"), r.PostForm.Get("files")
		f.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "files": []map[string]string{{"id": "F1", "title": "chart.png"}}})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func testPNG(t *testing.T, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.Black)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPostStaffImage(t *testing.T) {
	fake := newFakeFiles(t)
	a, err := New(nil, quietLog(t), Config{BotToken: "xoxb-test", SigningSecret: testSecret, StaffChannel: staffChannel, APIURL: fake.srv.URL + "/api/"})
	if err != nil {
		t.Fatal(err)
	}
	pic := testPNG(t, 96, 64)
	if err := a.PostStaffImage(context.Background(), "店铺 report <b>", "report-2026-03-10.png", pic); err != nil {
		t.Fatal(err)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	cfg, err := png.DecodeConfig(bytes.NewReader(fake.uploaded))
	if err != nil || cfg.Width != 96 || cfg.Height != 64 {
		t.Errorf("uploaded image: %+v, %v", cfg, err)
	}
	if fake.channel != staffChannel || fake.comment != "店铺 report &lt;b&gt;" || fake.filename != "report-2026-03-10.png" {
		t.Errorf("upload went to %q with comment %q, file %q", fake.channel, fake.comment, fake.filename)
	}
}
