package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/clienttoken"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// CheckChannel is the check of a channel name that a user chose, for every
// function that takes one (stream, long-poll, publish): the name with cfg's
// prefix (grip.Config.CheckChannel), its SSE twin too, since stream holds
// and publish sends both; and no name that is the SSE twin of another (see
// SSEChannel). Publishing
// to "news.sse" would otherwise send raw text, or forged "event:" lines, to
// the SSE clients of "news", and move the twin's last id so that Pushpin
// drops the next legitimate message (its prev-id no longer matches).
//
// The error is a *grip.ChannelError; its Problem is safe to show the client.
func CheckChannel(cfg grip.Config, name string) error {
	if err := cfg.CheckChannel(name); err != nil {
		return err
	}
	if IsSSEChannel(name) {
		return &grip.ChannelError{Name: name, Problem: `a name ending in "` + SSESuffix +
			`" is reserved for the Server-Sent Events twin of another channel: choose another name`}
	}
	if IsReleaseCheckChannel(name) {
		return &grip.ChannelError{Name: name, Problem: `a name ending in "` + ReleaseCheckSuffix +
			`" is reserved for the long-polls' release checks of another channel: choose another name`}
	}
	for _, twin := range []string{SSEChannel(name), name + ReleaseCheckSuffix} {
		if err := cfg.CheckChannel(twin); err != nil {
			var ce *grip.ChannelError
			if errors.As(err, &ce) {
				return &grip.ChannelError{Name: name, Problem: `its twin channels (the name and "` + SSESuffix + `" or "` + ReleaseCheckSuffix + `") are too long: ` + ce.Problem}
			}
			return err
		}
	}
	return nil
}

// IsSSEChannel reports whether name is the SSE twin of a channel.
func IsSSEChannel(name string) bool { return strings.HasSuffix(name, SSESuffix) }

// ChannelProblem is what to tell a client about a channel name CheckChannel
// refused: the reason, without the name.
func ChannelProblem(err error) string {
	var ce *grip.ChannelError
	if errors.As(err, &ce) {
		return "invalid channel name: " + ce.Problem
	}
	return "invalid channel name"
}

// RequestedChannel is the channel a stream or long-poll request asks for
// with ?channel=, or fallback when it names none: checked with
// CheckChannel (400), then against the client's token when tokens are on
// (401 without a valid token, 403 when it does not grant the channel). A
// refusal is logged (its reason, never the name or the token) and answered
// with refused; serve refused as it is.
func RequestedChannel(ctx context.Context, r *apigw.Request, cfg grip.Config, fallback string, tokens *clienttoken.Verifier, log *slog.Logger) (channel string, refused *apigw.Response) {
	channel = r.Query.Get("channel")
	if channel == "" {
		channel = fallback
	}
	if err := CheckChannel(cfg, channel); err != nil {
		problem := ChannelProblem(err)
		log.WarnContext(ctx, "bad channel", "reason", problem, "channel_len", len(channel))
		return "", apigw.Error(http.StatusBadRequest, problem)
	}
	if _, refusal := tokens.Authorize(ctx, r.Header, r.Query, channel); refusal != nil {
		log.WarnContext(ctx, "token refused", "status", refusal.Status, "reason", refusal.Reason)
		return "", refusal.Response()
	}
	return channel, nil
}

// CheckDefaultChannel is CheckChannel for the channel a function serves when
// a request names none: run at cold start, so that a name no request could
// use (too long with GRIP_PREFIX, say) stops the function at once.
func CheckDefaultChannel(cfg grip.Config, name string) error {
	if err := CheckChannel(cfg, name); err != nil {
		return fmt.Errorf("default channel: %w", err)
	}
	return nil
}
