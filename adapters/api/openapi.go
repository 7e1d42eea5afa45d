package api

import (
	_ "embed"
	"net/http"
)

// openAPI documents every route; it is served as it is kept in the repo.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(openAPI)
}
