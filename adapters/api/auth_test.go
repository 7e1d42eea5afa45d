package api

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestOpenAPIListsEveryRoute(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	must(t, json.Unmarshal(openAPI, &doc))
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	h := New(nil, nil, nil, slog.New(slog.DiscardHandler), Options{})
	want := map[string]bool{openAPIRoute: true}
	for _, rt := range h.routes() {
		want[rt.pattern] = true
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	for p := range want {
		if !documented[p] {
			t.Errorf("route %s is not in openapi.json", p)
		}
	}
	for p := range documented {
		if !want[p] {
			t.Errorf("openapi.json documents %s, which the API does not serve", p)
		}
	}
}

func TestTokens(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		// The document is public.
		res := e.do("GET", "/api/v1/openapi.json", "", nil)
		if res.status != http.StatusOK || !json.Valid(res.body) {
			t.Fatalf("openapi.json: %d %.100s", res.status, res.body)
		}
		// Every other route needs a known token.
		_, hash, err := NewToken()
		must(t, err)
		for _, tc := range []struct{ name, header string }{
			{"none", ""},
			{"basic", "Basic b3BzOnB3"},
			{"bearer without token", "Bearer "},
			{"unknown", "Bearer obt_" + hash},
			{"not ours", "Bearer " + hash},
		} {
			for _, rt := range New(nil, nil, nil, nil, Options{}).routes() {
				method, path, _ := strings.Cut(rt.pattern, " ")
				path = strings.NewReplacer("{number}", "100001", "{sku}", "TEA-1", "{id}", "1").Replace(path)
				req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(`{}`))
				must(t, err)
				if tc.header != "" {
					req.Header.Set("Authorization", tc.header)
				}
				r, err := http.DefaultClient.Do(req)
				must(t, err)
				r.Body.Close()
				if r.StatusCode != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
					t.Errorf("%s %s with %s token: %d, want 401 with WWW-Authenticate", method, path, tc.name, r.StatusCode)
				}
			}
		}
		e.do("GET", "/api/v1/orders", "obt_nope", nil).fails(t, 401, "unauthorized", "unknown or revoked token")

		// A token works until it is revoked; its use is recorded.
		var list listJSON[orderJSON]
		e.do("GET", "/api/v1/orders", e.sync, nil).ok(t, &list)
		ts, err := e.st.ListAPITokens(t.Context())
		must(t, err)
		if len(ts) != 3 || ts[2].Name != "ops-sync" || ts[2].Role != bot.Approver || ts[2].LastUsedAt.IsZero() || !ts[0].LastUsedAt.IsZero() {
			t.Fatalf("tokens after one call with ops-sync: %+v", ts)
		}
		must(t, e.st.RevokeAPIToken(t.Context(), "ops-sync", "test", time.Now()))
		e.do("GET", "/api/v1/orders", e.sync, nil).fails(t, 401, "unauthorized", "revoked")
		if _, err := e.st.StaffMember(t.Context(), bot.APIChannel, "ops-sync"); err == nil {
			t.Fatal("the revoked token's staff identity is still there")
		}
		// Removing the staff identity behind a token also shuts it out.
		must(t, e.st.RemoveStaff(t.Context(), bot.APIChannel, "ops-agent"))
		e.do("GET", "/api/v1/orders", e.agent, nil).fails(t, 401, "unauthorized", "")
		e.do("GET", "/api/v1/orders", e.admin, nil).ok(t, &list)
	})
}

func TestUnknownRouteAndMethod(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.do("GET", "/api/v1/nothing", e.admin, nil).fails(t, 404, "not_found", "no such route")
		res := e.do("DELETE", "/api/v1/orders", e.admin, nil)
		res.fails(t, 405, "invalid", "DELETE")
		if !strings.Contains(res.header.Get("Allow"), "GET") {
			t.Fatalf("Allow = %q", res.header.Get("Allow"))
		}
	})
}

// TestDatabaseDown: while the database is down or hung the API answers 500
// in its JSON shape without naming the cause, logs it, and serves again
// once the database is back.
func TestDatabaseDown(t *testing.T) {
	dsn, proxy := storetest.MySQLWithProxy(t)
	st, err := store.Open(t.Context(), dsn, storetest.Logger(t))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	e := newEnvWith(t, st, Options{Timeout: time.Second})
	var list listJSON[orderJSON]
	e.do("GET", "/api/v1/orders", e.agent, nil).ok(t, &list)

	// A hung database: the caller gets an answer when the request's time is up.
	proxy.Freeze()
	start := time.Now()
	e.do("GET", "/api/v1/orders", e.agent, nil).fails(t, 500, "internal", "try again")
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("a request to a hung database took %s", waited)
	}
	proxy.Resume()
	e.do("GET", "/api/v1/orders", e.agent, nil).ok(t, &list)

	proxy.Stop()
	msg := e.do("GET", "/api/v1/orders", e.agent, nil).fails(t, 500, "internal", "try again")
	if strings.Contains(msg, "tcp") || strings.Contains(msg, "connect") {
		t.Fatalf("500 names the cause: %q", msg)
	}
	if !strings.Contains(e.logBuf.String(), "api: request failed") {
		t.Fatalf("the failure was not logged: %s", e.logBuf)
	}
	proxy.Resume()
	e.do("GET", "/api/v1/orders", e.agent, nil).ok(t, &list)
}

// TestOpenAPIReferencesResolve: every $ref points at a component that
// exists, and every {param} of a path is declared by its operations.
func TestOpenAPIReferencesResolve(t *testing.T) {
	var doc map[string]any
	must(t, json.Unmarshal(openAPI, &doc))
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				var at any = doc
				for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
					m, _ := at.(map[string]any)
					at = m[part]
				}
				if at == nil {
					t.Errorf("$ref %s does not resolve", ref)
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	for path, ops := range doc["paths"].(map[string]any) {
		for method, op := range ops.(map[string]any) {
			declared := map[string]bool{}
			params, _ := op.(map[string]any)["parameters"].([]any)
			for _, p := range params {
				if p, ok := p.(map[string]any); ok && p["in"] == "path" {
					declared[p["name"].(string)] = true
				}
			}
			for _, seg := range strings.Split(path, "/") {
				if name, ok := strings.CutPrefix(seg, "{"); ok && !declared[strings.TrimSuffix(name, "}")] {
					t.Errorf("%s %s does not declare %s", method, path, seg)
				}
			}
		}
	}
}
