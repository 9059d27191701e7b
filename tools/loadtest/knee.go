package loadtest

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// KneeStep is one rate the knee search tried.
type KneeStep struct {
	Rate float64       // chat messages per second, all senders together
	P50  time.Duration // send-to-receive, every client
	Err  error         // loss, duplicates, errors: past the knee too
}

// Knee is where the chat leaves its latency floor on this machine.
type Knee struct {
	Steps []KneeStep
	Floor time.Duration // p50 at the lowest rate
	// Rate is the first rate whose p50 left the floor (more than twice
	// it, and 5 ms above it) or that lost messages; 0 when every rate
	// tried kept up.
	Rate float64
}

// kneeStep is how long each rate of the search sends.
const kneeStep = 3 * time.Second

// ChatKnee runs the chat scenario briefly at each rate, lowest first, and
// stops at the first one past the knee. A load test at a fixed rate
// measures a fast machine and saturates a slow one; the knee says what
// this machine takes, and the chat scenario then runs below it.
func ChatKnee(ctx context.Context, t *Target, cfg ChatConfig, rates []float64) Knee {
	var k Knee
	for _, rate := range rates {
		step := cfg
		step.Rate = rate
		step.Messages = max(int(rate*kneeStep.Seconds()), step.Senders)
		step.Idle = 10 * time.Second
		step.Scenario = fmt.Sprintf("knee %g/s", rate)
		r := Chat(ctx, t, step)
		s := KneeStep{Rate: rate, P50: r.P50, Err: r.Err()}
		k.Steps = append(k.Steps, s)
		t.progress("chat knee: %g messages/s to %d clients: p50 %v%s", rate, cfg.Clients, round(s.P50), errNote(s.Err))
		if len(k.Steps) == 1 {
			k.Floor = s.P50
		}
		if pastKnee(k.Floor, s) {
			k.Rate = rate
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	return k
}

// SafeRate is the rate to measure the chat at: half the knee, or the
// highest rate tried when none was past it.
func (k Knee) SafeRate() float64 {
	if k.Rate > 0 {
		return k.Rate / 2
	}
	if len(k.Steps) == 0 {
		return 0
	}
	return k.Steps[len(k.Steps)-1].Rate
}

// String is the search as one line for the report.
func (k Knee) String() string {
	var steps []string
	for _, s := range k.Steps {
		steps = append(steps, fmt.Sprintf("%g/s p50 %v%s", s.Rate, round(s.P50), errNote(s.Err)))
	}
	verdict := fmt.Sprintf("no knee up to %g/s", k.SafeRate())
	if k.Rate > 0 {
		verdict = fmt.Sprintf("knee at %g/s (p50 left the floor of %v)", k.Rate, round(k.Floor))
	}
	return verdict + ": " + strings.Join(steps, ", ")
}

func errNote(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// pastKnee reports whether step left the floor: it lost messages, or its
// p50 is more than twice the floor and 5 ms above it (a floor of 2 ms
// doubling to 4 ms is noise, not a knee).
func pastKnee(floor time.Duration, step KneeStep) bool {
	return step.Err != nil || step.P50 > 2*floor && step.P50 > floor+5*time.Millisecond
}
