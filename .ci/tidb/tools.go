//go:build tools

// Package tidb only names the TiDB server so that go.mod pins it.
package tidb

import _ "github.com/pingcap/tidb/cmd/tidb-server"
