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
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Start(exec.Command("sh", "-c", tc.script))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = p.Kill() })
			time.Sleep(100 * time.Millisecond) // let sh start its child

			start := time.Now()
			if err := p.Stop(tc.grace); err != nil {
				t.Fatal(err)
			}
			if elapsed := time.Since(start); elapsed > tc.grace+2*time.Second {
				t.Errorf("Stop took %v", elapsed)
			}
			if live := LiveMembers(p.Pid()); len(live) > 0 {
				t.Errorf("processes %v of the group survived Stop", live)
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
