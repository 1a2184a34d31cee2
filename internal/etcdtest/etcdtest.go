// Package etcdtest starts real etcd members for tests: in this process (embed), or one member
// in a child process that a test can kill with SIGKILL.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
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
	// Large imports travel as one change set.
	cfg.MaxRequestBytes = 16 << 20
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
