package feed

import (
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Pushpin (1.36) releases a held long-poll when an item's prev-id matches
// the hold's, and retries the request at once when the hold arrives after
// the channel moved on, but only while it remembers the channel's last id,
// which it forgets on every prev-id conflict. Under load, with hundreds of
// polls made again after every release, some are held on an id the channel
// already passed (the function read the head just before a message went
// out) after the id was forgotten: they wait for the next message or their
// timeout. A prev-id conflict seen later retries them too, but at low
// priority: Pushpin retries those ten at a time per second.
//
// So every long-poll also holds the channel's release-check twin, without
// a prev-id, with its own id as the hold's "user" meta and the skip-self
// filter; and the publish function sends, a moment after its messages, a
// check item on the twin: a hint (retry now, at high priority) whose
// "sender" meta is the channel's newest id. Skip-self drops it for the
// polls held on that id (their user is the sender); every other poll is
// retried at once, and the long-poll function answers it from the history.

// ReleaseCheckSuffix marks the channel long-polls hold for release checks.
const ReleaseCheckSuffix = ".lpcheck"

// HoldReleaseCheck adds channel's release-check twin to a long-poll hold
// on lastID.
func HoldReleaseCheck(hold *grip.Hold, channel, lastID string) {
	hold.Channels = append(hold.Channels, grip.Channel{Name: channel + ReleaseCheckSuffix, Filters: []string{"skip-self"}})
	if hold.SetMeta == nil {
		hold.SetMeta = map[string]string{}
	}
	hold.SetMeta["user"] = lastID
}

// ReleaseCheck is the check item for the long-polls of channel once newest
// was published: every poll held on another id is retried. It is outside
// Pushpin's sequencing (no-seq), so it never delays or reorders a message.
func ReleaseCheck(channel, newest string) grip.Item {
	return grip.Item{
		Channel: channel + ReleaseCheckSuffix,
		NoSeq:   true,
		Meta:    map[string]string{"sender": newest},
		Formats: grip.Formats{HTTPResponse: &grip.HTTPResponseFormat{Action: "hint"}},
	}
}

// IsReleaseCheckChannel reports whether name is the release-check twin of a channel.
func IsReleaseCheckChannel(name string) bool { return strings.HasSuffix(name, ReleaseCheckSuffix) }
