package api

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Page sizes of the list routes.
const (
	defaultLimit = 50
	maxLimit     = 200
	maxQuery     = 200
)

// query reads a request's query parameters, refusing any not in allowed
// and any given twice: a typo silently ignored would return the wrong list.
func query(r *http.Request, allowed ...string) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, invalid("the query string is malformed")
	}
	for name, vals := range v {
		if !slices.Contains(allowed, name) {
			return nil, invalid("unknown parameter %q (allowed: %s)", name, strings.Join(allowed, ", "))
		}
		if len(vals) > 1 {
			return nil, invalid("parameter %s is given more than once", name)
		}
	}
	return v, nil
}

// page is the paging part of a list request.
type page struct {
	limit    int
	beforeID int64
}

func pageParams(v url.Values) (page, error) {
	p := page{limit: defaultLimit}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return page{}, invalid("limit must be a whole number from 1 to %d", maxLimit)
		}
		p.limit = n
	}
	if s := v.Get("cursor"); s != "" {
		id, err := decodeCursor(s)
		if err != nil {
			return page{}, invalid("cursor is not one this API returned")
		}
		p.beforeID = id
	}
	return p, nil
}

// encodeCursor makes the opaque next_cursor from the last id of a page:
// pages are ordered by id, newest first, so they never shift as new items
// arrive.
func encodeCursor(id int64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeCursor(s string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 8 {
		return 0, errors.New("bad cursor")
	}
	id := int64(binary.BigEndian.Uint64(b))
	if id <= 0 {
		return 0, errors.New("bad cursor")
	}
	return id, nil
}

// nextCursor returns the cursor after a page when it is full, "" when it
// was the last page. The store was asked for one item more than the page.
func nextCursor[T any](items []T, limit int, id func(T) int64) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(id(items[limit-1]))
}

// searchText is the q parameter, trimmed.
func searchText(v url.Values) (string, error) {
	q := strings.TrimSpace(v.Get("q"))
	if !utf8.ValidString(q) || utf8.RuneCountInString(q) > maxQuery {
		return "", invalid("q must be valid text of at most %d characters", maxQuery)
	}
	return q, nil
}

// dateParam reads a date (YYYY-MM-DD, in the shop's zone) or an RFC 3339
// time. A date as the end of a range includes that whole day.
func dateParam(v url.Values, name string, loc *time.Location, end bool) (time.Time, error) {
	s := v.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid("%s must be a date (YYYY-MM-DD) or an RFC 3339 time", name)
	}
	return t, nil
}

// idParam reads a positive integer id.
func idParam(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// decodeBody reads a JSON object of at most maxBody bytes into v, refusing
// unknown fields and anything after the object.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.Decode(&struct{}{}) != io.EOF {
		return invalid("body: one JSON object expected")
	}
	var tooBig *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooBig):
		return invalid("body: larger than %d KiB", maxBody>>10)
	case errors.Is(err, io.EOF):
		return invalid("body: a JSON object is required")
	}
	return invalid("body: %s", strings.TrimPrefix(err.Error(), "json: "))
}
