package proc

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestStopReapsTheWholeGroup(t *testing.T) {
	for _, tc := range []struct {
		name   string
		script string
		grace  time.Duration
	}{
		{"leader and child stop on SIGTERM", "sleep 30 & wait", 5 * time.Second},
		{"leader ignores SIGTERM", `trap "" TERM; sleep 30 & wait`, 200 * time.Millisecond},
		// Like Pushpin's runner: the child has a process group of its own.
		{"child in its own group", `trap "" TERM; setsid sleep 30 & wait`, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Start(exec.Command("sh", "-c", tc.script))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Kill() })
			time.Sleep(100 * time.Millisecond) // let sh start its child
			tree := p.Tree()
			if len(tree) != 2 {
				t.Fatalf("Tree = %v, want sh and sleep", tree)
			}

			start := time.Now()
			if err := p.Stop(tc.grace); err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > tc.grace+2*time.Second {
				t.Errorf("Stop took %v", elapsed)
			}
			for _, pid := range tree {
				if Alive(pid) {
					t.Errorf("process %d survived Stop", pid)
				}
			}
		})
	}
}

func TestExitDescription(t *testing.T) {
	p, err := Start(exec.Command("sh", "-c", "exit 3"))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("process did not exit")
	}
	if got := p.ExitDescription(); !strings.Contains(got, "exit status 3") {
		t.Errorf("ExitDescription = %q", got)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("Stop after exit: %v", err)
	}
}
