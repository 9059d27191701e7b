package feed

import (
	"net/http"
	"strings"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// Pushpin (1.36) releases a held long-poll when an item's prev-id matches
// the hold's, and retries the request at once when the hold arrives after
// the channel moved on, but only while it remembers the channel's last id.
// It forgets it whenever nobody holds the channel (every poll was just
// released, so the polls made again come after a gap) and on any prev-id
// conflict; a poll made again in that window is held on an id the channel
// already passed, and waits for the next publish or its timeout.
//
// So every long-poll also holds the channel's release-check twin, on the
// same prev-id, and the publish function sends, a moment after its
// messages, a check item on the twin whose prev-id is the newest id: a
// poll held on an older id conflicts with it, and Pushpin retries that
// poll, which the long-poll function answers from the history. A poll that
// is up to date matches the check; the require-sub filter drops the item
// (its require_sub meta names no channel anyone holds), so it stays held.

// ReleaseCheckSuffix marks the channel long-polls hold for release checks.
const ReleaseCheckSuffix = ".lpcheck"

// releaseCheckFilter drops a check item for every hold whose prev-id matches.
const releaseCheckFilter = "require-sub"

// ReleaseCheckChannel is the channel a long-poll of channel holds, on prevID.
func ReleaseCheckChannel(channel, prevID string) grip.Channel {
	return grip.Channel{Name: channel + ReleaseCheckSuffix, PrevID: prevID, Filters: []string{releaseCheckFilter}}
}

// ReleaseCheck is the check item for the long-polls of channel once lastID
// was published. It is outside Pushpin's sequencing (no-seq), so that it
// never delays or reorders a message.
func ReleaseCheck(channel, lastID string) grip.Item {
	return grip.Item{
		Channel: channel + ReleaseCheckSuffix,
		ID:      lastID,
		PrevID:  lastID,
		NoSeq:   true,
		Meta:    map[string]string{"require_sub": ReleaseCheckSuffix},
		Formats: grip.Formats{HTTPResponse: &grip.HTTPResponseFormat{Code: http.StatusOK}},
	}
}

// IsReleaseCheckChannel reports whether name is the release-check twin of a channel.
func IsReleaseCheckChannel(name string) bool { return strings.HasSuffix(name, ReleaseCheckSuffix) }
