package webchat

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Customers send photos (the after-sales flow asks for them) as uploads the
// core keeps, since the web has no platform that keeps them; staff see them
// through the console, behind their session.

// maxPhotoBody is the most a photo upload may carry: the photo and room for
// the form around it.
const maxPhotoBody = bot.MaxMediaBytes + 64<<10

// mediaCSP is the policy of a served photo: an image, and nothing that
// could run or load anything else should a browser take it for a page.
const mediaCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"

// photoUpload is the form of /chat/api/photo.
type photoUpload struct {
	id    string
	photo []byte
}

// chatPhoto takes one photo from the customer, stores it and passes its
// reference to the conversation as a message, answered like /chat/api/send.
//
// The photo is stored before the core sees the message id, as only the core
// knows whether the id was seen. So a retried upload whose first attempt
// got through stores a second copy; the repeat is answered with the first
// attempt's replies, so that copy is never referenced by any request or
// card, and nothing acts twice.
func (h *Handler) chatPhoto(w http.ResponseWriter, r *http.Request) {
	cust, ok := h.customer(w, r)
	if !ok {
		return
	}
	up, ok := readPhoto(w, r)
	if !ok {
		return
	}
	l := h.opts.Limits
	_, err := h.take(r.Context(), int64(len(up.photo)), quota{key: "upload:" + clientAddr(r),
		count: l.UploadsPerHour, bytes: l.UploadBytesPerHour, window: time.Hour})
	if err != nil {
		if !limited(w, err, "too many photos from your network in the last hour") {
			h.log.Error("webchat: count photo", "err", err)
			writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		}
		return
	}
	ref, err := h.svc.SaveMedia(r.Context(), bot.WebChat, cust, up.photo)
	if err != nil {
		if errors.Is(err, bot.ErrInvalid) {
			writeError(w, http.StatusBadRequest, invalidMessage(err))
			return
		}
		h.log.Error("webchat: save photo", "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	h.converse(w, r, bot.Inbound{
		Channel:  bot.WebChat,
		UserID:   cust,
		DedupKey: dedupKey(cust, up.id),
		Media:    []string{ref},
		LangHint: preferredLanguage(r.Header.Get("Accept-Language")),
	}, bot.ChatLine{UserID: cust, ClientID: up.id, Kind: "photo"})
}

// Why a photo form is refused.
var (
	errPhotoTooLarge = errors.New("the photo is too large (at most 5 MiB)")
	errTwoPhotos     = errors.New("send one photo at a time")
)

// readPhoto reads the form of an id and one photo, and answers the request
// itself when the form will not do (413 too large, 400 otherwise); it
// reports whether to go on.
func readPhoto(w http.ResponseWriter, r *http.Request) (photoUpload, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxPhotoBody)
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "send the photo as multipart/form-data")
		return photoUpload{}, false
	}
	up, err := parsePhotoForm(mr)
	var tooBig *http.MaxBytesError
	switch {
	case errors.Is(err, errPhotoTooLarge) || errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, errPhotoTooLarge.Error())
	case errors.Is(err, errTwoPhotos):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		writeError(w, http.StatusBadRequest, "malformed form")
	case !validClientID(up.id):
		writeError(w, http.StatusBadRequest, badClientID)
	case up.photo == nil:
		writeError(w, http.StatusBadRequest, "photo is required")
	default:
		return up, true
	}
	return photoUpload{}, false
}

// parsePhotoForm streams the form's parts, so nothing of it goes to
// temporary files; parts other than id and photo are skipped.
func parsePhotoForm(mr *multipart.Reader) (photoUpload, error) {
	var up photoUpload
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return up, err
		}
		switch p.FormName() {
		case "id":
			b, err := io.ReadAll(io.LimitReader(p, maxClientID+1))
			if err != nil {
				return up, err
			}
			up.id = string(b)
		case "photo":
			if up.photo != nil {
				return up, errTwoPhotos
			}
			if up.photo, err = io.ReadAll(io.LimitReader(p, bot.MaxMediaBytes+1)); err != nil {
				return up, err
			}
			if len(up.photo) > bot.MaxMediaBytes {
				return up, errPhotoTooLarge
			}
		}
	}
}

// staffMedia serves a photo a customer uploaded, for the staff console's
// cards. Any reference that names no stored photo is a 404.
func (h *Handler) staffMedia(w http.ResponseWriter, r *http.Request, s staffRequest) {
	m, err := h.svc.MediaByRef(r.Context(), r.PathValue("ref"))
	if errors.Is(err, bot.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such photo")
		return
	}
	if err != nil {
		h.log.Error("webchat: staff media", "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", m.ContentType)
	hd.Set("Content-Disposition", "inline")
	hd.Set("Content-Security-Policy", mediaCSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	// A stored photo never changes, so the browser may keep it; private,
	// as it is only for staff.
	hd.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "", m.CreatedAt, bytes.NewReader(m.Data))
}
