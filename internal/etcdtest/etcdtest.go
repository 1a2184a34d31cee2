// Package etcdtest starts real etcd members for tests: in this process (embed), or one member
// in a child process that a test can kill with SIGKILL.
package etcdtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Cluster is a running etcd cluster.
type Cluster struct {
	Members []*embed.Etcd
	// Endpoints are the members' client URLs.
	Endpoints []string
}

// freePorts reserves n loopback ports; etcd's peer URLs cannot use port 0.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	for _, l := range ls {
		_ = l.Close()
	}
	return ports
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return *u
}

// Start runs an n-member cluster in this process and stops it at cleanup (after anything the
// test registered later, such as replicas and clients, so that no watch holds it open).
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	dir := t.TempDir()
	for attempt := 0; ; attempt++ {
		c, err := start(dir, n, freePorts(t, 2*n), attempt)
		if err == nil {
			t.Cleanup(c.Close)
			return c
		}
		if attempt == 3 {
			t.Fatal(err)
		}
	}
}

// Config is the embed configuration of member i of a cluster whose peer and client ports are
// ports[2i] and ports[2i+1].
func Config(dir string, n, i int, ports []int, token string) *embed.Config {
	cfg := embed.NewConfig()
	cfg.Name = fmt.Sprintf("m%d", i)
	cfg.Dir = filepath.Join(dir, cfg.Name)
	peer := mustURL(fmt.Sprintf("http://127.0.0.1:%d", ports[2*i]))
	client := mustURL(fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]))
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	var initial []string
	for j := range n {
		initial = append(initial, fmt.Sprintf("m%d=http://127.0.0.1:%d", j, ports[2*j]))
	}
	cfg.InitialCluster = strings.Join(initial, ",")
	cfg.InitialClusterToken = token
	cfg.ClusterState = embed.ClusterStateFlagNew
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	// etcd's default request limit (1.5 MiB) stays: change sets larger than it travel in parts.
	return cfg
}

func start(dir string, n int, ports []int, attempt int) (*Cluster, error) {
	c := &Cluster{}
	token := fmt.Sprintf("trendgraph-test-%d", attempt)
	for i := range n {
		e, err := embed.StartEtcd(Config(filepath.Join(dir, fmt.Sprint(attempt)), n, i, ports, token))
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("start etcd member %d: %w", i, err)
		}
		c.Members = append(c.Members, e)
		c.Endpoints = append(c.Endpoints, fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]))
	}
	for i, e := range c.Members {
		select {
		case <-e.Server.ReadyNotify():
		case <-time.After(20 * time.Second):
			c.Close()
			return nil, fmt.Errorf("etcd member %d not ready within 20 s", i)
		}
	}
	return c, nil
}

// Close stops every member.
func (c *Cluster) Close() {
	for _, e := range c.Members {
		e.Close()
	}
}

// childEnv carries a child member's configuration: see RunChildMember.
const childEnv = "TRENDGRAPH_ETCDTEST_MEMBER"

// RunChildMember runs this process as one etcd member when the environment asks for it (a test
// binary started by StartProcesses), and exits when its standard input closes; otherwise it
// returns at once. Call it first in TestMain.
func RunChildMember() {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return
	}
	var m childSpec
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	e, err := embed.StartEtcd(Config(m.Dir, m.N, m.I, m.Ports, m.Token))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The parent gone (its end of stdin closed) means the test is over.
	_, _ = io.Copy(io.Discard, os.Stdin)
	e.Close()
	os.Exit(0)
}

type childSpec struct {
	Dir   string
	N, I  int
	Ports []int
	Token string
}

// Processes is a cluster whose members are child processes, each killable with SIGKILL.
type Processes struct {
	Cmds      []*exec.Cmd
	Endpoints []string
	stdins    []io.WriteCloser
}

// StartProcesses runs an n-member cluster as child processes of this test binary (whose
// TestMain calls RunChildMember) and stops them at cleanup.
func StartProcesses(t testing.TB, n int) *Processes {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 2*n)
	p := &Processes{}
	t.Cleanup(p.stop)
	for i := range n {
		spec, _ := json.Marshal(childSpec{Dir: dir, N: n, I: i, Ports: ports, Token: "trendgraph-test-processes"})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(spec))
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p.Cmds, p.stdins = append(p.Cmds, cmd), append(p.stdins, stdin)
		p.Endpoints = append(p.Endpoints, fmt.Sprintf("http://127.0.0.1:%d", ports[2*i+1]))
	}
	return p
}

// Kill ends member i with SIGKILL, as a crash would.
func (p *Processes) Kill(i int) {
	_ = p.Cmds[i].Process.Kill()
	_ = p.Cmds[i].Wait()
}

func (p *Processes) stop() {
	for i, in := range p.stdins {
		_ = in.Close()
		done := make(chan struct{})
		go func() { _ = p.Cmds[i].Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = p.Cmds[i].Process.Kill()
		}
	}
}
