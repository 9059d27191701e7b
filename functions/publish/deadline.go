package main

import (
	"context"
	"time"
)

// maxMargin is how long before the invocation's deadline publishing stops
// at most; a tenth of the time left when that is shorter.
const maxMargin = time.Second

// beforeDeadline derives the context for history and publishing: it ends
// a margin before the invocation's deadline, so that the handler still
// returns (with its SQS batch item failures) before Lambda stops it. At
// the deadline itself the whole batch would time out and come back.
func beforeDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(maxMargin, time.Until(deadline)/10)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}
