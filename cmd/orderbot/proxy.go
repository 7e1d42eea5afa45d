package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// trustedProxies are the peers (load balancers, TLS terminators) whose
// X-Forwarded-For and X-Forwarded-Proto headers are believed.
type trustedProxies []netip.Prefix

// parseTrustedProxies reads ORDERBOT_TRUSTED_PROXIES: CIDRs or single
// addresses separated by spaces or commas.
func parseTrustedProxies(s string) (trustedProxies, error) {
	var tp trustedProxies
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			tp = append(tp, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("ORDERBOT_TRUSTED_PROXIES: %q is neither an address nor a CIDR", f)
		}
		a = a.Unmap()
		tp = append(tp, netip.PrefixFrom(a, a.BitLen()))
	}
	return tp, nil
}

func (tp trustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range tp {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// dropForwarding deletes the headers through which a proxy speaks of the
// client: from anyone else they are lies.
func dropForwarding(h http.Header) {
	for _, k := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Real-Ip", "Forwarded"} {
		h.Del(k)
	}
}

// behindProxies is the server's edge. For a request from a trusted proxy it
// sets r.RemoteAddr to the client as the proxies saw it (the rightmost
// address in X-Forwarded-For that is not itself a trusted proxy: anything
// left of it came from the client and may be made up) and keeps the
// proxy's X-Forwarded-Proto; from any other peer it drops those headers,
// so nothing behind the edge can be fooled by them. Limits counted per
// address and Secure cookies rely on this.
func behindProxies(tp trustedProxies, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, ok := peerAddr(r.RemoteAddr)
		if !ok || !tp.trusts(peer) {
			dropForwarding(r.Header)
			next.ServeHTTP(w, r)
			return
		}
		r = r.Clone(r.Context())
		if client, ok := clientFrom(tp, r.Header.Values("X-Forwarded-For")); ok {
			r.RemoteAddr = net.JoinHostPort(client.String(), "0")
		}
		proto := lastListed(r.Header.Values("X-Forwarded-Proto"))
		dropForwarding(r.Header)
		if proto == "https" || proto == "http" {
			r.Header.Set("X-Forwarded-Proto", proto)
		}
		next.ServeHTTP(w, r)
	})
}

func peerAddr(remote string) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	return a.Unmap(), err == nil
}

// clientFrom walks X-Forwarded-For from the right, past trusted proxies,
// to the first address that is not one. An entry that is no address ends
// the walk without a client: what lies left of it cannot be placed.
func clientFrom(tp trustedProxies, values []string) (netip.Addr, bool) {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := peerAddr(strings.TrimSpace(hops[i]))
		if !ok {
			return netip.Addr{}, false
		}
		if !tp.trusts(a) {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// lastListed is the last entry of a comma-separated header, lower case:
// each proxy appends its own, and only the nearest one is trusted.
func lastListed(values []string) string {
	if len(values) == 0 {
		return ""
	}
	v := values[len(values)-1]
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(strings.TrimSpace(v))
}
