package replica

import (
	"os"
	"testing"

	"github.com/trendgraph/trendgraph/internal/etcdtest"
)

func TestMain(m *testing.M) {
	// A test binary started as an etcd member (StartProcesses) runs that and nothing else.
	etcdtest.RunChildMember()
	os.Exit(m.Run())
}
