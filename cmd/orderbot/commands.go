package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/orderbot/orderbot/adapters/webchat"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
)

// cliActor is who the audit trail names for changes made from the command line.
const cliActor = "command line"

// openStore opens the database, applies pending migrations and puts the
// data keys to use (refusing keys the database is not encrypted under).
func openStore(ctx context.Context, cfg config, log *slog.Logger) (*store.Store, error) {
	// The keys first: MySQL without one is refused before it is touched.
	ring, created, err := dataRing(cfg, log)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DB, log)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if err := useDataKeys(ctx, st, cfg, ring, created); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// withService runs fn with a service on a migrated store, for subcommands.
func withService(ctx context.Context, cfg config, fn func(*bot.Service) error) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(bot.NewService(st, log, bot.Config{Currency: cfg.Currency}, nil))
}

func migrate(ctx context.Context, cfg config, stdout io.Writer) error {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func catalogCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	switch {
	case len(args) == 2 && args[0] == "import":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		file, err := bot.ParseCatalogCSV(f)
		if err != nil {
			return fmt.Errorf("%s: %w", args[1], err)
		}
		return withService(ctx, cfg, func(svc *bot.Service) error {
			if err := svc.ImportCatalogFile(ctx, cliActor, file); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "imported %d products\n", len(file.Products))
			return nil
		})
	case len(args) == 1 && args[0] == "export":
		return withService(ctx, cfg, func(svc *bot.Service) error {
			products, err := svc.Catalog(ctx)
			if err != nil {
				return err
			}
			return bot.WriteCatalogCSV(stdout, products)
		})
	}
	return errors.New("usage: orderbot catalog import FILE.csv | orderbot catalog export")
}

func staffCmd(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: orderbot staff add|list|remove")
	}
	fs := flag.NewFlagSet("staff "+args[0], flag.ContinueOnError)
	fs.SetOutput(stdout)
	channel := fs.String("channel", "", "channel: webchat, slack or telegram")
	user := fs.String("user", "", "the staff member's user id on that channel (login name for webchat)")
	role := fs.String("role", "", "agent, approver or admin")
	name := fs.String("name", "", "display name (defaults to the user id)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "add":
		return staffAdd(ctx, cfg, bot.Staff{Channel: *channel, UserID: *user, Role: bot.Role(*role), Name: *name}, stdin, stdout)
	case "list":
		return withService(ctx, cfg, func(svc *bot.Service) error { return staffList(ctx, svc, stdout) })
	case "remove":
		return withService(ctx, cfg, func(svc *bot.Service) error {
			if err := svc.RemoveStaff(ctx, cliActor, *channel, *user); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "removed %s:%s\n", *channel, *user)
			return nil
		})
	}
	return fmt.Errorf("unknown staff command %q: want add, list or remove", args[0])
}

func staffAdd(ctx context.Context, cfg config, s bot.Staff, stdin io.Reader, stdout io.Writer) error {
	if _, err := bot.ParseRole(string(s.Role)); err != nil {
		return err
	}
	if s.Channel == "" || s.UserID == "" {
		return errors.New("staff add needs --channel and --user")
	}
	switch s.Channel {
	case bot.WebChat, bot.Telegram, bot.Slack:
	default:
		return fmt.Errorf("staff add: unknown channel %q: staff work in webchat, telegram or slack", s.Channel)
	}
	if s.Channel == bot.WebChat {
		pw, err := readPassword(stdin, stdout)
		if err != nil {
			return err
		}
		if s.PasswordHash, err = webchat.HashPassword(pw); err != nil {
			return err
		}
	}
	return withService(ctx, cfg, func(svc *bot.Service) error {
		if err := svc.SaveStaff(ctx, cliActor, s); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "saved %s:%s as %s\n", s.Channel, s.UserID, s.Role)
		return nil
	})
}

// readPassword reads the password without showing it when stdin is a
// terminal, and otherwise takes the first line, so scripts can pipe it in.
func readPassword(stdin io.Reader, stdout io.Writer) (string, error) {
	var pw string
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stdout, "Password for the staff console: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stdout)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw = string(b)
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read password: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if len(pw) < 8 {
		return "", errors.New("the password must have at least 8 characters (give it on stdin)")
	}
	return pw, nil
}

func staffList(ctx context.Context, svc *bot.Service, stdout io.Writer) error {
	staff, err := svc.ListStaff(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHANNEL\tUSER\tNAME\tROLE")
	for _, s := range staff {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Channel, s.UserID, s.Name, s.Role)
	}
	return tw.Flush()
}

func wechatCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "menu" {
		return errors.New("usage: orderbot wechat menu")
	}
	if !cfg.WeChat.enabled() {
		return errors.New("wechat menu needs ORDERBOT_WECHAT_APP_ID, ORDERBOT_WECHAT_APP_SECRET and ORDERBOT_WECHAT_TOKEN")
	}
	return withService(ctx, cfg, func(svc *bot.Service) error {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		wx, err := openWeChat(cfg, svc, nil, log)
		if err != nil {
			return err
		}
		if err := wx.PublishMenu(ctx); err != nil {
			return fmt.Errorf("publish menu: %w", err)
		}
		fmt.Fprintln(stdout, "menu published: 商品目录 / 我的订单 / 售后与客服")
		return nil
	})
}
