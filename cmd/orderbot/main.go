// Command orderbot runs the chat order bot: `serve` (the default) starts the
// HTTP server and the outbox dispatcher; the other subcommands manage the
// database, the catalog and the staff.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "orderbot:", err)
		os.Exit(1)
	}
}

const usage = `usage: orderbot [command]

commands:
  serve                      run the bot (default)
  migrate                    apply database migrations
  catalog import FILE.csv    add or update products from a CSV file
  catalog export             write the catalog as CSV to stdout
  staff add --channel webchat|telegram|slack --user U --role agent|approver|admin [--name N]
                             add or change a staff member (webchat asks for a password on stdin;
                             a new password or role ends that member's console sessions)
  staff list                 list staff members
  staff remove --channel C --user U
  report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--png FILE]
                             the shop's KPIs (default: yesterday, shop time zone)
  export orders|customers|after-sales [--from D] [--to D] [--format csv|xlsx]
                             write a spreadsheet to stdout
  wechat menu                publish the WeChat Official Account's custom menu
  token create --name N --role agent|approver|admin
                             create an admin API token (printed once)
  token list                 list admin API tokens
  token revoke NAME          revoke an admin API token
  customer erase ID          erase a customer's personal data (orders keep items and amounts)
  customer export ID         write everything kept about a customer as JSON to stdout
  data rotate-key            re-encrypt personal data under ORDERBOT_DATA_KEY (old key in ORDERBOT_DATA_KEY_OLD)
`

// run is the whole program with its dependencies passed in, so tests can
// drive it like a user would.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, stdout, stderr)
	case "migrate":
		return migrate(ctx, cfg, stdout)
	case "catalog":
		return catalogCmd(ctx, cfg, args, stdout)
	case "staff":
		return staffCmd(ctx, cfg, args, stdin, stdout)
	case "report":
		return reportCmd(ctx, cfg, args, stdout, time.Now())
	case "export":
		return exportCmd(ctx, cfg, args, stdout, time.Now())
	case "wechat":
		return wechatCmd(ctx, cfg, args, stdout)
	case "token":
		return tokenCmd(ctx, cfg, args, stdout)
	case "customer":
		return customerCmd(ctx, cfg, args, stdout)
	case "data":
		return dataCmd(ctx, cfg, args, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}
