package proc

import (
	"os"
	"strconv"
	"strings"
)

// procStat is what we read from /proc/<pid>/stat.
type procStat struct {
	pid, ppid int
	state     string
	start     string // start time in clock ticks since boot: tells a reused pid apart
}

func readStat(pid int) (procStat, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	s := string(b)
	// Fields after the parenthesised command: state(3) ppid(4) ... starttime(22).
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 20 {
		return procStat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return procStat{pid: pid, ppid: ppid, state: f[0], start: f[19]}, true
}

// descendants lists the live descendants of pid, with their start times.
// Pushpin's runner puts each service in a process group of its own, so a
// group signal alone would not reach them.
func descendants(pid int) map[int]string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]procStat{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := readStat(p); ok && st.state != "Z" && st.state != "X" {
			children[st.ppid] = append(children[st.ppid], st)
		}
	}
	out := map[int]string{}
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			out[c.pid] = c.start
			queue = append(queue, c.pid)
		}
		queue = queue[1:]
	}
	return out
}

// sameProcessAlive reports whether pid still runs and is the process that
// had the given start time (not a new one that reused the pid).
func sameProcessAlive(pid int, start string) bool {
	st, ok := readStat(pid)
	return ok && st.state != "Z" && st.state != "X" && (start == "" || st.start == start)
}

// Alive reports whether pid is a running process. Zombies do not count:
// they are dead and only wait for their (new) parent, which in a container
// may be slow to reap them.
func Alive(pid int) bool { return sameProcessAlive(pid, "") }
