package grip

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// ErrInvalidChannel matches every error about a channel name the proxies
// cannot carry (a *ChannelError, alone or inside an *ItemError or a hold's
// error): see ValidChannel.
var ErrInvalidChannel = errors.New("grip: invalid channel name")

// The other failures have one sentinel each, which starts their message;
// callers tell them apart by type (*ItemError, *PublishError,
// *DeliveryError) where it matters.
var (
	errInvalidURL  = errors.New("grip: invalid GRIP_URL")
	errNoEndpoints = errors.New("grip: no publish endpoints: set GRIP_URL (see package doc)")
	errInvalidItem = errors.New("grip: invalid publish item")
	errInvalidHold = errors.New("grip: invalid hold instruction")
)

// urlError explains why a GRIP_URL was refused. It never contains the key,
// the password or the query string: only the scheme, host and path.
type urlError struct {
	url     string // scheme://host/path of the URL, or "" when even that could not be read
	problem string // what is wrong and what to do about it
}

func (e *urlError) Error() string {
	if e.url == "" {
		return errInvalidURL.Error() + ": " + e.problem
	}
	return errInvalidURL.Error() + " " + strconv.Quote(e.url) + ": " + e.problem
}

// Is makes errors.Is(err, errInvalidURL) true.
func (e *urlError) Is(target error) bool { return target == errInvalidURL }

// ItemError tells which item of a Publish call is invalid and why; nothing
// was sent.
type ItemError struct {
	Index int   // position of the item in the Publish arguments
	Err   error // the reason; may wrap ErrInvalidChannel
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("%v %d: %v", errInvalidItem, e.Index, e.Err)
}

// Unwrap returns the reason.
func (e *ItemError) Unwrap() error { return e.Err }

// maxErrorBody bounds PublishError.Body.
const maxErrorBody = 512

// PublishError reports a failed publish to one endpoint. With several
// endpoints Publish returns a *DeliveryError holding one per endpoint that
// failed; errors.As finds the first.
type PublishError struct {
	Endpoint   string // the control URI, without credentials
	EndpointID string // the endpoint's ID (see Publisher.EndpointIDs)
	Status     int    // HTTP status of the last attempt; 0 when no response came back
	Body       string // start of the last response body (at most 512 bytes)
	Attempts   int    // requests sent, including the failed last one
	Err        error  // the transport or context error, when Status is 0
}

func (e *PublishError) Error() string {
	var b strings.Builder
	b.WriteString("grip: publish to ")
	b.WriteString(e.Endpoint)
	b.WriteString(" failed")
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, ": status %d", e.Status)
		if text := http.StatusText(e.Status); text != "" {
			b.WriteString(" " + text)
		}
		if e.Body != "" {
			b.WriteString(": " + strconv.Quote(e.Body))
		}
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if hint := statusHint(e.Status); hint != "" {
		b.WriteString(" (" + hint + ")")
	}
	return b.String()
}

// Unwrap returns the transport or context error, if any.
func (e *PublishError) Unwrap() error { return e.Err }

// statusHint says what to check for the statuses caused by configuration.
func statusHint(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "check the iss and key (or user:password) in GRIP_URL"
	case http.StatusNotFound:
		return "check the control URI path in GRIP_URL"
	case http.StatusBadRequest:
		return "the proxy refused the items: see the body"
	}
	return ""
}
