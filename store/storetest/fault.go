package storetest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// FaultProxy stands between the code under test and the MySQL server so a
// test can make the database fail the way it fails in production, without
// stopping the server other tests share: Stop refuses and drops every
// connection (a database that is down), Freeze keeps connections open but
// passes no byte either way (a database under SIGSTOP), Resume undoes both.
type FaultProxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	stopped bool
	frozen  bool
	thaw    chan struct{} // closed on Resume while frozen
	conns   map[net.Conn]struct{}
}

// MySQLWithProxy creates a fresh migrated MySQL database like DSN does and
// returns its ORDERBOT_DB dsn routed through a FaultProxy, closed when the
// test ends. The test is skipped when ORDERBOT_TEST_MYSQL_DSN is unset.
func MySQLWithProxy(t testing.TB) (dsn string, p *FaultProxy) {
	t.Helper()
	direct := strings.TrimPrefix(DSN(t, "mysql"), "mysql:")
	cfg, err := mysql.ParseDSN(direct)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	p = NewFaultProxy(t, cfg.Addr)
	cfg.Addr = p.Addr()
	return "mysql:" + cfg.FormatDSN(), p
}

// NewFaultProxy listens on a loopback port and forwards to target until the
// test ends.
func NewFaultProxy(t testing.TB, target string) *FaultProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("storetest: proxy listen: %v", err)
	}
	p := &FaultProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}, thaw: make(chan struct{})}
	go p.accept()
	t.Cleanup(p.close)
	return p
}

// Addr is the host:port to connect to instead of the server.
func (p *FaultProxy) Addr() string { return p.ln.Addr().String() }

// Stop makes the database unreachable: open connections are cut and new
// ones are closed at once, as when the server is down.
func (p *FaultProxy) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	for c := range p.conns {
		c.Close()
	}
}

// Freeze stops every byte in both directions on open and new connections
// until Resume, as when the server process is suspended.
func (p *FaultProxy) Freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.frozen {
		p.frozen = true
		p.thaw = make(chan struct{})
	}
}

// Resume lets traffic through again after Stop or Freeze.
func (p *FaultProxy) Resume() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = false
	if p.frozen {
		p.frozen = false
		close(p.thaw)
	}
}

func (p *FaultProxy) close() {
	p.ln.Close()
	p.Stop()
	p.Resume()
}

func (p *FaultProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		stopped := p.stopped
		if !stopped {
			p.conns[c] = struct{}{}
		}
		p.mu.Unlock()
		if stopped {
			c.Close()
			continue
		}
		go p.serve(c)
	}
}

func (p *FaultProxy) serve(client net.Conn) {
	defer p.forget(client)
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	p.mu.Lock()
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	defer p.forget(server)
	done := make(chan struct{}, 2)
	go func() { p.pipe(server, client); done <- struct{}{} }()
	go func() { p.pipe(client, server); done <- struct{}{} }()
	<-done
}

// pipe copies src to dst in small reads, waiting out a freeze before each
// write so that nothing read during it gets through until Resume.
func (p *FaultProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.waitThaw()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or a cut connection: the other direction ends with it
		}
	}
}

func (p *FaultProxy) waitThaw() {
	p.mu.Lock()
	frozen, thaw := p.frozen, p.thaw
	p.mu.Unlock()
	if frozen {
		<-thaw
	}
}

func (p *FaultProxy) forget(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
