package wechat

import (
	"net/http"
	"net/url"
	"strings"
)

// rebase sends every request to another base URL: the library's hosts are
// constants, and tests (or a proxy in front of WeChat) need them elsewhere.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme = r.base.Scheme
	out.URL.Host = r.base.Host
	out.URL.Path = strings.TrimSuffix(r.base.Path, "/") + req.URL.Path
	out.URL.RawPath = ""
	out.Host = r.base.Host
	return r.next.RoundTrip(out)
}
