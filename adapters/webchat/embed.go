package webchat

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseEmbedOrigins reads the space-separated origins allowed to show the
// chat in a frame (ORDERBOT_EMBED_ORIGINS). Each must be exactly an origin:
// https://host or https://host:port, or http://localhost[:port] for trying
// it out. Anything else would end up in the Content-Security-Policy header
// as written, where a path, a wildcard or a stray keyword could widen who
// may frame the chat, so it is refused.
func ParseEmbedOrigins(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Fields(s) {
		o, err := embedOrigin(f)
		if err != nil {
			return nil, fmt.Errorf("embed origin %q: %w", f, err)
		}
		out = append(out, o)
	}
	return out, nil
}

func embedOrigin(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("not a URL")
	}
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && u.Hostname() == "localhost"):
		return "", fmt.Errorf("want https://host[:port] (http only for localhost)")
	case u.Host == "" || u.User != nil || u.Opaque != "":
		return "", fmt.Errorf("want https://host[:port]")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "#"):
		return "", fmt.Errorf("an origin has no path, query or fragment")
	case !validHost(u.Hostname()):
		return "", fmt.Errorf("host %q is not a host name", u.Hostname())
	}
	if p := u.Port(); p != "" {
		if n, ok := portNumber(p); !ok || n == 0 {
			return "", fmt.Errorf("port %q is not a port", p)
		}
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// validHost accepts DNS names (letters, digits, hyphens, dots) and IPv4
// addresses: nothing that could close the header's directive.
func validHost(h string) bool {
	if h == "" || len(h) > 253 || strings.HasPrefix(h, ".") || strings.HasSuffix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	for _, c := range h {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

func portNumber(p string) (int, bool) {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, false
		}
	}
	return n, true
}
