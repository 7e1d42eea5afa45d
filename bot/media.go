package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Media is a file a customer uploaded, kept by the core because their
// channel keeps none.
type Media struct {
	ID          int64
	Channel     string
	Owner       string // the customer's user id on Channel
	ContentType string
	Data        []byte
	CreatedAt   time.Time
}

// MaxMediaBytes bounds an uploaded photo.
const MaxMediaBytes = 5 << 20

// maxMediaPerHour bounds how many photos one customer may upload in an hour:
// enough for any after-sales request, too few to fill the database.
const maxMediaPerHour = 20

// mediaRefPrefix starts the media reference of a stored upload.
const mediaRefPrefix = "media:"

// SaveMedia stores a customer's photo and returns the media reference to
// pass in Inbound.Media. Only images are taken, judged by their bytes, not by
// what the client claims.
func (s *Service) SaveMedia(ctx context.Context, channel, owner string, data []byte) (string, error) {
	if len(data) == 0 || len(data) > MaxMediaBytes {
		return "", fmt.Errorf("%w: a photo must be 1 byte to %d MiB", ErrInvalid, MaxMediaBytes>>20)
	}
	ct := http.DetectContentType(data)
	switch ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
	default:
		return "", fmt.Errorf("%w: only JPEG, PNG, GIF or WebP photos (got %s)", ErrInvalid, ct)
	}
	n, err := s.store.CountMedia(ctx, channel, owner, s.now().Add(-time.Hour))
	if err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	if n >= maxMediaPerHour {
		return "", fmt.Errorf("%w: too many photos in the last hour, please try again later", ErrInvalid)
	}
	m := &Media{Channel: channel, Owner: owner, ContentType: ct, Data: data, CreatedAt: s.now()}
	if err := s.store.SaveMedia(ctx, m); err != nil {
		return "", fmt.Errorf("save photo: %w", err)
	}
	return mediaRefPrefix + strconv.FormatInt(m.ID, 10), nil
}

// MediaByRef returns a stored photo by its media reference; ErrNotFound for
// a reference that names none (a platform's own media id, say).
func (s *Service) MediaByRef(ctx context.Context, ref string) (Media, error) {
	num, ok := strings.CutPrefix(ref, mediaRefPrefix)
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 {
		return Media{}, fmt.Errorf("media %q: %w", ref, ErrNotFound)
	}
	return s.store.Media(ctx, id)
}

// PictureURL is u if a platform or a browser may fetch it as a picture:
// http or https with a host, no credentials, at most 2000 bytes; "" for
// anything else, which the channels then leave out.
func PictureURL(u string) string {
	if u == "" || len(u) > 2000 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	return p.String()
}
