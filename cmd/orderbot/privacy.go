package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
)

// loadRetention reads ORDERBOT_RETENTION: how long a customer who never
// ordered is kept after their last message.
func loadRetention(get func(string) string) (time.Duration, error) {
	v := get("ORDERBOT_RETENTION")
	if v == "" {
		return privacy.DefaultRetention, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 24*time.Hour {
		return 0, fmt.Errorf("ORDERBOT_RETENTION=%q: want a duration of at least a day, such as 4320h (180 days)", v)
	}
	return d, nil
}

// newPrivacy is the erase, export and retention service on core's cards.
func newPrivacy(st *store.Store, core *bot.Service, cfg config, log *slog.Logger) *privacy.Service {
	return privacy.New(st, core, log, privacy.Options{Location: cfg.Shop.Location, Retention: cfg.Retention})
}

const customerUsage = "usage: orderbot customer erase ID | orderbot customer export ID (ID: the customer's id in the admin API and console)"

// customerCmd erases or exports one customer's data. An erase queues the
// edits of posted staff cards in the outbox, which a running server sends.
func customerCmd(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	if len(args) != 2 || (args[0] != "erase" && args[0] != "export") {
		return errors.New(customerUsage)
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("customer id %q: want the number the admin API and the console show", args[1])
	}
	return withStore(ctx, cfg, func(st *store.Store) error {
		log := slog.New(slog.DiscardHandler)
		coreCfg := coreConfig(cfg)
		coreCfg.Membership = tier.New(st, log, nil, cfg.Shop.Location)
		p := newPrivacy(st, bot.NewService(st, log, coreCfg, nil), cfg, log)
		err := customerRun(ctx, p, args[0], id, stdout)
		if errors.Is(err, bot.ErrNotFound) {
			return fmt.Errorf("no customer with id %d", id)
		}
		return err
	})
}

func customerRun(ctx context.Context, p *privacy.Service, what string, id int64, stdout io.Writer) error {
	if what == "export" {
		ex, err := p.Export(ctx, id)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	res, err := p.Erase(ctx, cliActor, id)
	if err != nil {
		return err
	}
	if res.AlreadyErased {
		fmt.Fprintf(stdout, "customer %d was erased already (%s); nothing changed\n", id, res.ErasedAt.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(stdout, "erased customer %d: %s; %d posted staff cards to be edited\n", id, res.Counts, res.CardsQueued)
	return nil
}
