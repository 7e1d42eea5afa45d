package main

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sync"
	"time"
)

// results gathers every step's sample while a run goes on.
type results struct {
	mu      sync.Mutex
	acks    []time.Duration
	lags    []time.Duration
	afters  []time.Duration // Telegram: webhook acknowledged → reply reached the API
	noReply int
	passive int // WeChat: replies in the push's answer
	cs      int // WeChat: replies by customer-service message
	errs    map[string]int
	skipped int // open loop: ticks when every customer was still waiting
}

func newResults() *results { return &results{errs: map[string]int{}} }

func (r *results) add(s sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.ack > 0 {
		r.acks = append(r.acks, s.ack)
	}
	switch {
	case s.err == nil:
		r.lags = append(r.lags, s.lag)
		switch s.via {
		case viaPassive:
			r.passive++
		case viaCS:
			r.cs++
		}
		if s.lag > s.ack && s.ack > 0 {
			r.afters = append(r.afters, s.lag-s.ack)
		}
	case errors.Is(s.err, errNoReply):
		r.noReply++
	default:
		r.errs[s.err.Error()]++
	}
}

func (r *results) skip() {
	r.mu.Lock()
	r.skipped++
	r.mu.Unlock()
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(p/100*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// report is one run's figures.
type report struct {
	Channel   string
	Database  string
	Mode      string
	Customers int
	Offered   float64 // messages/s asked for (open loop)
	Duration  time.Duration
	Messages  int
	Rate      float64 // answered messages/s
	AckP50    time.Duration
	AckP99    time.Duration
	LagP50    time.Duration
	LagP99    time.Duration
	AfterP50  time.Duration // the part of the lag after the webhook's answer: outbox and pacing
	AfterP99  time.Duration
	NoReply   int
	Passive   int // WeChat: steps answered in place, in the push's answer
	CS        int // WeChat: steps answered by customer-service message
	Errors    map[string]int
	Skipped   int
	Backlog   int
	Ceiling   float64 // the database's raw transactions/s at the same concurrency
	CPUPerMsg time.Duration
	// The database server's CPU per message and per raw transaction, when
	// it runs on this machine (MySQL kinds; SQLite's is orderbot's own).
	DBCPUPerMsg, DBCPUPerTxn time.Duration
	// The load tool's own CPU per message, and how busy the machine's
	// cores were over the run (0 to 1): orderbot, the database and the
	// tool share them, and together they bound what a run can reach.
	ToolCPUPerMsg time.Duration
	MachineBusy   float64
	RSSAfterMB    float64
	RSSPeakMB     float64       // orderbot's high-water mark, start to end
	Think         time.Duration // closed loop: each customer's pause after a reply
	Seed          seedSize      // stored before the run
	API           apiCalls      // Telegram: what the bot asked of the Bot API during the run
	WeChatAPI     wechatCalls   // WeChat: what the bot asked of WeChat's API during the run
}

func (r *results) report(elapsed time.Duration) report {
	r.mu.Lock()
	defer r.mu.Unlock()
	slices.Sort(r.acks)
	slices.Sort(r.lags)
	slices.Sort(r.afters)
	return report{
		AfterP50: percentile(r.afters, 50), AfterP99: percentile(r.afters, 99),
		Duration: elapsed, Messages: len(r.lags), Rate: float64(len(r.lags)) / elapsed.Seconds(),
		AckP50: percentile(r.acks, 50), AckP99: percentile(r.acks, 99),
		LagP50: percentile(r.lags, 50), LagP99: percentile(r.lags, 99),
		NoReply: r.noReply, Passive: r.passive, CS: r.cs, Errors: r.errs, Skipped: r.skipped,
	}
}

func (rep report) print(w io.Writer) {
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Fprintf(w, "channel %s, database %s, %s loop, %d customers", rep.Channel, rep.Database, rep.Mode, rep.Customers)
	if rep.Offered > 0 {
		fmt.Fprintf(w, ", %.0f messages/s offered", rep.Offered)
	}
	if rep.Think > 0 {
		fmt.Fprintf(w, ", thinking %s between steps", rep.Think)
	}
	fmt.Fprintf(w, ", %s\n", rep.Duration.Round(time.Millisecond))
	if rep.Seed.any() {
		fmt.Fprintf(w, "  stored before %d customers, %d products, %d orders\n", rep.Seed.customers, rep.Seed.products, rep.Seed.orders)
	}
	fmt.Fprintf(w, "  answered      %d messages, %.0f messages/s\n", rep.Messages, rep.Rate)
	fmt.Fprintf(w, "  ack           p50 %s, p99 %s\n", ms(rep.AckP50), ms(rep.AckP99))
	fmt.Fprintf(w, "  reply lag     p50 %s, p99 %s\n", ms(rep.LagP50), ms(rep.LagP99))
	if rep.AfterP99 > 0 {
		fmt.Fprintf(w, "  after the ack p50 %s, p99 %s (outbox and pacing)\n", ms(rep.AfterP50), ms(rep.AfterP99))
	}
	fmt.Fprintf(w, "  no reply      %d\n", rep.NoReply)
	if rep.Channel == "wechat" {
		fmt.Fprintf(w, "  answered by   %d passive replies (in the push's answer), %d customer-service messages\n", rep.Passive, rep.CS)
		a := rep.WeChatAPI
		fmt.Fprintf(w, "  WeChat API    %d customer-service texts, %d pictures, %d token fetches", a.texts, a.pictures, a.tokens)
		if a.refused+a.unexpected > 0 {
			fmt.Fprintf(w, ", %d refused for their token, %d unexpected", a.refused, a.unexpected)
		}
		fmt.Fprintln(w)
	}
	if a := rep.API; a.sends+a.edits+a.answers > 0 {
		secs := rep.Duration.Seconds()
		fmt.Fprintf(w, "  Bot API       %d sends (%.1f/s), %d edits (%.1f/s), %d callback answers", a.sends, float64(a.sends)/secs, a.edits, float64(a.edits)/secs, a.answers)
		if rep.Messages > 0 {
			fmt.Fprintf(w, "; %.2f sends+edits per answered step", float64(a.sends+a.edits)/float64(rep.Messages))
		}
		fmt.Fprintln(w)
	}
	for e, n := range rep.Errors {
		fmt.Fprintf(w, "  error         %d × %s\n", n, e)
	}
	if rep.Skipped > 0 {
		fmt.Fprintf(w, "  not offered   %d (every customer still waiting)\n", rep.Skipped)
	}
	fmt.Fprintf(w, "  outbox after  %d undelivered\n", rep.Backlog)
	if rep.CPUPerMsg > 0 {
		fmt.Fprintf(w, "  orderbot CPU  %s per message, RSS %.0f MB at the end, %.0f MB at most\n", ms(rep.CPUPerMsg), rep.RSSAfterMB, rep.RSSPeakMB)
	}
	if rep.DBCPUPerMsg > 0 {
		// In microseconds: a small statement costs the server tens of them.
		fmt.Fprintf(w, "  database CPU  %d µs per message", rep.DBCPUPerMsg.Microseconds())
		if rep.DBCPUPerTxn > 0 {
			fmt.Fprintf(w, ", %d µs per raw transaction", rep.DBCPUPerTxn.Microseconds())
		}
		fmt.Fprintln(w)
	}
	if rep.ToolCPUPerMsg > 0 {
		fmt.Fprintf(w, "  load tool CPU %s per message; the machine's %d cores %.0f %% busy\n", ms(rep.ToolCPUPerMsg), runtime.NumCPU(), 100*rep.MachineBusy)
	}
	if rep.Ceiling > 0 {
		fmt.Fprintf(w, "  raw ceiling   %.0f transactions/s (3 inserts each, %d clients)\n", rep.Ceiling, rep.Customers)
		fmt.Fprintf(w, "  ratio         %.2f\n", rep.Rate/rep.Ceiling)
	}
}
