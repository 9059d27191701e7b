package grip

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfterWithoutDeadline bounds how long a Retry-After is honoured
// when the context has no deadline; a longer one ends the retries.
const maxRetryAfterWithoutDeadline = 30 * time.Second

// retryableStatus: the proxy is overloaded or failing, and the same request
// may succeed later. Other statuses will fail the same way again.
func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// backoff is the wait before retry number attempt (1 for the first retry):
// base doubled each time up to the ceiling, then "equal jitter": half of it
// fixed and half random, so Lambdas failing together do not retry together.
func (p *Publisher) backoff(attempt int) time.Duration {
	wait := p.backoffMax
	if shift := attempt - 1; shift < 32 {
		if d := p.backoffBase << shift; d > 0 && d < wait {
			wait = d
		}
	}
	half := wait / 2
	return half + rand.N(wait-half+1)
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. It returns 0 when absent or unreadable.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if secs, err := strconv.ParseUint(value, 10, 32); err == nil {
		return time.Duration(secs) * time.Second
	}
	if when, err := http.ParseTime(value); err == nil && when.After(now) {
		return when.Sub(now)
	}
	return 0
}

// fitsDeadline reports whether a wait followed by an attempt as long as the
// last one can end before ctx's deadline: a retry that cannot finish only
// delays the error.
func fitsDeadline(ctx context.Context, wait, attempt time.Duration) bool {
	deadline, ok := ctx.Deadline()
	if !ok {
		return wait <= maxRetryAfterWithoutDeadline
	}
	return time.Until(deadline) > wait+attempt
}

// sleep waits for d or until ctx ends, whichever is first.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
