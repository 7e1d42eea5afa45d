package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestStaffAddChannels: staff work in the web console, Telegram or Slack;
// any other channel is refused with a clear error and nothing is saved.
func TestStaffAddChannels(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	for _, ch := range []string{"wechat", "email", "WebChat", "slack "} {
		_, err := cli(t, dsn, "", "staff", "add", "--channel", ch, "--user", "U1", "--role", "agent")
		if err == nil || !strings.Contains(err.Error(), "unknown channel") || !strings.Contains(err.Error(), "webchat, telegram or slack") {
			t.Errorf("channel %q: %v", ch, err)
		}
	}
	for _, ch := range []string{"telegram", "slack"} {
		if _, err := cli(t, dsn, "", "staff", "add", "--channel", ch, "--user", "U1", "--role", "agent"); err != nil {
			t.Errorf("channel %s: %v", ch, err)
		}
	}
	out, err := cli(t, dsn, "", "staff", "list")
	if err != nil || strings.Contains(out, "wechat") || strings.Contains(out, "email") || strings.Count(out, "U1") != 2 {
		t.Fatalf("staff after refused channels: %q, %v", out, err)
	}
}

// openPTY opens a pseudo-terminal: what the test writes to master is what
// a person types at the terminal slave, and what the terminal shows them
// (their typing echoed) is read back from master.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	raw, err := master.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var ioErr error
	err = raw.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	})
	if err != nil || ioErr != nil {
		t.Fatalf("unlock pty: %v %v", err, ioErr)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// TestStaffAddPasswordNotEchoed types the password at a terminal and looks
// at what the terminal shows.
func TestStaffAddPasswordNotEchoed(t *testing.T) {
	master, slave := openPTY(t)
	dsn := storetest.DSN(t, "sqlite")
	env := map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_ENV_FILE": t.TempDir() + "/none"}
	withTestDataKey(env)
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"staff", "add", "--channel", "webchat", "--user", "lin", "--role", "agent"},
			func(k string) string { return env[k] }, slave, &out, &out)
	}()
	// Type once the program is reading: when it turned echo off, or after
	// a while if it never does.
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		tio, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS)
		if err == nil && tio.Lflag&unix.ECHO == 0 {
			break
		}
	}
	if _, err := master.WriteString("typed-secret-9\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("staff add: %v (%s)", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("staff add did not finish")
	}
	if err := master.SetReadDeadline(time.Now().Add(300 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	shown := make([]byte, 4096)
	n, err := master.Read(shown)
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal(err)
	}
	if strings.Contains(string(shown[:n]), "typed-secret") || strings.Contains(out.String(), "typed-secret") {
		t.Fatalf("the password was shown: terminal %q, output %q", shown[:n], out.String())
	}
	if !strings.Contains(out.String(), "Password for the staff console:") || !strings.Contains(out.String(), "saved webchat:lin") {
		t.Fatalf("output %q", out.String())
	}
	// And it is the password that was saved.
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "false"})
	defer s.stop()
	s.newUser().login("lin", "typed-secret-9")
}
