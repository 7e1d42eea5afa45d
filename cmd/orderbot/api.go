package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/orderbot/orderbot/adapters/api"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
)

// registerAPI serves the admin API (/api/v1) on mux. Its tiers service is
// one of its own on the same store: the services keep no state between
// calls, and the daily sweep is the served one's.
func registerAPI(mux *http.ServeMux, st *store.Store, core api.Core, crm api.CRM, sessions api.Sessions, priv api.Privacy, care api.Care, bcasts api.Broadcasts, money api.Money, cfg config, log *slog.Logger) {
	api.New(st, core, crm, log, api.Options{
		Currency: currencyCode(cfg.Currency), Location: cfg.Shop.Location,
		ExportTimeout: apiExportTimeout, ShopName: cfg.Shop.Name, StaffLang: cfg.Shop.StaffLang,
		Sessions:   sessions,
		Privacy:    priv,
		Care:       care,
		Broadcasts: bcasts,
		Money:      money,
	}).Register(mux)
}

// apiExportTimeout bounds an export of the admin API: it streams for as
// long as its rows take, far beyond an ordinary request's deadline.
const apiExportTimeout = 15 * time.Minute

// apiExport reports the paths of the exports, the API's and the console's
// downloads of the same files, which get apiExportTimeout instead of the
// ordinary deadline.
func apiExport(path string) bool {
	return strings.HasPrefix(path, "/api/v1/exports/") || strings.HasPrefix(path, "/staff/reports/exports/")
}

// currencyCode is the ISO 4217 code the API reports for the shop's
// currency symbol; a symbol it does not know is reported as it is.
func currencyCode(symbol string) string {
	switch symbol {
	case "¥", "￥", "CNY":
		return "CNY"
	case "$", "USD":
		return "USD"
	case "€", "EUR":
		return "EUR"
	}
	return symbol
}

const tokenUsage = "usage: orderbot token create --name N --role agent|approver|admin | orderbot token list | orderbot token revoke NAME"

func tokenCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	switch {
	case args[0] == "create":
		fs := flag.NewFlagSet("token create", flag.ContinueOnError)
		fs.SetOutput(stdout)
		name := fs.String("name", "", "the token's name, shown in audit trails as NAME (api)")
		role := fs.String("role", "", "agent, approver or admin")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errors.New(tokenUsage)
		}
		return withStore(ctx, cfg, func(st *store.Store) error { return tokenCreate(ctx, st, *name, *role, stdout) })
	case args[0] == "list" && len(args) == 1:
		return withStore(ctx, cfg, func(st *store.Store) error { return tokenList(ctx, st, stdout) })
	case args[0] == "revoke" && len(args) == 2:
		return withStore(ctx, cfg, func(st *store.Store) error {
			err := st.RevokeAPIToken(ctx, args[1], cliActor, time.Now())
			if errors.Is(err, bot.ErrNotFound) {
				return fmt.Errorf("no token named %q", args[1])
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "revoked %s\n", args[1])
			return nil
		})
	}
	return errors.New(tokenUsage)
}

// withStore runs fn on a migrated store, for subcommands that need storage
// beyond what the core offers.
func withStore(ctx context.Context, cfg config, fn func(*store.Store) error) error {
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

func tokenCreate(ctx context.Context, st *store.Store, name, role string, stdout io.Writer) error {
	if err := api.CheckTokenName(name); err != nil {
		return err
	}
	r, err := bot.ParseRole(role)
	if err != nil {
		return err
	}
	token, hash, err := api.NewToken()
	if err != nil {
		return err
	}
	err = st.CreateAPIToken(ctx, bot.APIToken{Name: name, Hash: hash, Role: r, CreatedAt: time.Now()}, cliActor)
	if errors.Is(err, bot.ErrDuplicate) {
		return fmt.Errorf("a token named %q exists: revoke it first or choose another name", name)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created token %s (%s); it is shown only now, keep it safe:\n%s\n", name, r, token)
	return nil
}

func tokenList(ctx context.Context, st *store.Store, stdout io.Writer) error {
	ts, err := st.ListAPITokens(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tLAST USED")
	for _, t := range ts {
		last := "never"
		if !t.LastUsedAt.IsZero() {
			last = t.LastUsedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Role, t.CreatedAt.Format(time.RFC3339), last)
	}
	return tw.Flush()
}
