package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
)

// webhookSecret is what the started orderbot expects on webhook calls.
const webhookSecret = "orderbot-load-secret"

// orderbot is a server this tool started, with its scratch database.
type orderbot struct {
	cmd     *exec.Cmd
	base    string
	admin   string // the admin listener's base URL (pprof)
	dsn     string // ORDERBOT_DB
	drop    func() // deletes the scratch database
	fakeAPI *http.Server
	store   *store.Store
}

// platformAPIs serves the fake platforms orderbot's channels call, on one
// listener: WeChat's API under /cgi-bin/, Telegram's Bot API elsewhere.
func platformAPIs(telegram *fakeBotAPI, wechat *fakeWeChatAPI) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/cgi-bin/", wechat)
	mux.Handle("/", telegram)
	return mux
}

// startOrderbot makes a scratch database, starts the fake platform APIs
// and orderbot pointed at both, and waits until orderbot is ready.
func startOrderbot(ctx context.Context, o options, apis http.Handler, stderr io.Writer) (*orderbot, error) {
	b := &orderbot{}
	var err error
	if b.dsn, b.drop, err = scratchDatabase(o.db); err != nil {
		return nil, err
	}
	apiLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.drop()
		return nil, fmt.Errorf("fake platform APIs: %w", err)
	}
	b.fakeAPI = &http.Server{Handler: apis}
	go b.fakeAPI.Serve(apiLn)
	addr, admin := freePort(), freePort()
	b.base, b.admin = "http://"+addr, "http://"+admin

	logPath := o.log
	if logPath == "" {
		logPath = filepath.Join(os.TempDir(), "orderbot-load.log")
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		b.stop()
		return nil, fmt.Errorf("orderbot log: %w", err)
	}
	env := append(withoutOrderbotEnv(os.Environ()),
		"ORDERBOT_ADDR="+addr,
		"ORDERBOT_ADMIN_ADDR="+admin,
		"ORDERBOT_DB="+b.dsn,
		"ORDERBOT_DEMO=true",
		"ORDERBOT_ENV_FILE="+filepath.Join(os.TempDir(), "orderbot-load-no.env"),
		"ORDERBOT_PUBLIC_URL=https://load.invalid",
		// MySQL needs a data key; the run's database is thrown away.
		"ORDERBOT_DATA_KEY="+seal.GenerateKey(),
		// The web chat's shoppers come each from an address of their own,
		// named in X-Forwarded-For as a proxy in front of a shop names them:
		// from one address, the limit of 60 new customers an hour would
		// refuse all but 60 of them.
		"ORDERBOT_TRUSTED_PROXIES=127.0.0.1",
	)
	if o.channel == "telegram" {
		env = append(env,
			"ORDERBOT_TELEGRAM_TOKEN=1:load",
			"ORDERBOT_TELEGRAM_API=http://"+apiLn.Addr().String()+"/bot%s/%s",
			"ORDERBOT_TELEGRAM_WEBHOOK_SECRET="+webhookSecret,
		)
	}
	if o.channel == "wechat" {
		// Plain mode (no AES key): pushes are signed, not encrypted.
		env = append(env,
			"ORDERBOT_WECHAT_APP_ID="+wechatAppID,
			"ORDERBOT_WECHAT_APP_SECRET="+wechatSecret,
			"ORDERBOT_WECHAT_TOKEN="+wechatToken,
			"ORDERBOT_WECHAT_API_URL=http://"+apiLn.Addr().String(),
		)
	}
	if o.seed.any() {
		// The tables must exist before they are filled, and the demo
		// catalog is added only to an empty one (seeded products replace it).
		migrate := exec.CommandContext(ctx, o.bin, "migrate")
		migrate.Stdout, migrate.Stderr, migrate.Env = logFile, logFile, env
		if err := migrate.Run(); err != nil {
			b.stop()
			return nil, fmt.Errorf("orderbot migrate: %w (log: %s)", err, logPath)
		}
		if err := seedDatabase(ctx, b.dsn, o.seed, o, stderr); err != nil {
			b.stop()
			return nil, err
		}
	}
	b.cmd = exec.CommandContext(ctx, o.bin, "serve")
	b.cmd.Stdout, b.cmd.Stderr, b.cmd.Env = logFile, logFile, env
	if err := b.cmd.Start(); err != nil {
		b.stop()
		return nil, fmt.Errorf("start orderbot: %w", err)
	}
	if err := waitReady(ctx, b.base); err != nil {
		b.stop()
		return nil, fmt.Errorf("%w (log: %s)", err, logPath)
	}
	fmt.Fprintf(stderr, "orderbot-load: orderbot pid %d on %s, log in %s\n", b.cmd.Process.Pid, b.base, logPath)
	if b.store, err = store.Open(ctx, b.dsn, slog.New(slog.DiscardHandler)); err != nil {
		b.stop()
		return nil, err
	}
	return b, nil
}

// stop ends orderbot as an operator would (SIGTERM) and removes what the
// run made.
func (b *orderbot) stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		b.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { b.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.cmd.Process.Kill()
			<-done
		}
	}
	if b.store != nil {
		b.store.Close()
	}
	if b.fakeAPI != nil {
		b.fakeAPI.Close()
	}
	if b.drop != nil {
		b.drop()
	}
}

func (b *orderbot) ceiling(ctx context.Context, clients int) (float64, error) {
	return b.store.WriteCeiling(ctx, clients, 5*time.Second)
}

// cpuProfile writes orderbot's CPU profile over the next d to path, from
// its admin listener's pprof.
func (b *orderbot) cpuProfile(ctx context.Context, d time.Duration, path string) error {
	secs := max(1, int(d.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", b.admin, secs), nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("cpu profile: orderbot answered %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("cpu profile: %w", err)
	}
	return f.Close()
}

// backlog is what the outbox has not delivered yet.
func (b *orderbot) backlog(ctx context.Context) (int, error) {
	c, err := b.store.OutboxCounts(ctx)
	if err != nil {
		return 0, err
	}
	return c.Pending + c.Held, nil
}

// cpu is the CPU time orderbot has used so far (Linux /proc).
func (b *orderbot) cpu() time.Duration {
	if b == nil {
		return 0
	}
	return processCPU(b.cmd.Process.Pid)
}

// databaseServer finds the process of the MySQL-kind server dsn names,
// when it runs on this machine: the server says where its pid file is
// (@@pid_file), and the process must be a MariaDB or MySQL server. It is 0
// otherwise (a server elsewhere, or TiDB, which keeps none), and the report
// then says nothing of the database's CPU. Looking for a process by name
// alone would find another server on the machine, say a TiDB beside the
// MariaDB under test.
func databaseServer(ctx context.Context, dsn string) int {
	db, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
	if err != nil {
		return 0
	}
	defer db.Close()
	var path string
	if err := db.QueryRowContext(ctx, "SELECT @@pid_file").Scan(&path); err != nil {
		return 0
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return 0
	}
	switch strings.TrimSpace(string(comm)) {
	case "mariadbd", "mysqld":
		return pid
	}
	return 0
}

// processCPU is the CPU time a process has used so far (Linux /proc), 0
// when it cannot be read.
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond
}

// machineCPU is the time all the machine's cores have spent so far, and
// the part of it idle (Linux /proc/stat, in clock ticks); zero when it
// cannot be read.
type machineCPU struct{ total, idle int64 }

func readMachineCPU() machineCPU {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return machineCPU{}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[0] != "cpu" {
		return machineCPU{}
	}
	var m machineCPU
	for i, f := range fields[1:] {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return machineCPU{}
		}
		m.total += n
		if i == 3 || i == 4 { // idle, iowait
			m.idle += n
		}
	}
	return m
}

// busySince is the share of the cores' time since before that was not
// idle, 0 to 1; 0 when either reading failed.
func (m machineCPU) busySince(before machineCPU) float64 {
	total := m.total - before.total
	if m.total == 0 || before.total == 0 || total <= 0 {
		return 0
	}
	return float64(total-(m.idle-before.idle)) / float64(total)
}

// rssMB is orderbot's resident memory now and its high-water mark, from
// the kernel's own count (VmRSS, VmHWM in /proc), not Go's heap figures.
func (b *orderbot) rssMB() (now, peak float64) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", b.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	mb := func(rest string) float64 {
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		return kb / 1024
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			now = mb(rest)
		} else if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = mb(rest)
		}
	}
	return now, peak
}

// scratchDatabase makes an empty database for one run: a file in a new
// temporary directory, or a database with a random name on the MySQL server.
func scratchDatabase(spec string) (dsn string, drop func(), err error) {
	if spec == "sqlite" {
		dir, err := os.MkdirTemp("", "orderbot-load-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "orderbot.db"), func() { os.RemoveAll(dir) }, nil
	}
	server, ok := strings.CutPrefix(spec, "mysql:")
	if !ok {
		return "", nil, fmt.Errorf("-db %q: want sqlite or mysql:DSN", spec)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return "", nil, err
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "orderbot_load_" + hex.EncodeToString(suffix)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create scratch database: %w", err)
	}
	cfg.DBName = name
	cfg.ParseTime = true
	return "mysql:" + cfg.FormatDSN(), func() {
		admin.Exec("DROP DATABASE " + name)
		admin.Close()
	}, nil
}

func withoutOrderbotEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "ORDERBOT_") {
			out = append(out, kv)
		}
	}
	return out
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitReady(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("orderbot was not ready within a minute")
}
