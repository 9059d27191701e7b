package grip

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. Every error this package returns matches one of them with
// errors.Is, and most also carry a typed error with the details (errors.As).
var (
	// ErrInvalidURL: a GRIP_URL could not be used. The error is a *URLError.
	ErrInvalidURL = errors.New("grip: invalid GRIP_URL")

	// ErrNoEndpoints: Publish was called on a Publisher whose Config has no
	// endpoints, usually because GRIP_URL is not set.
	ErrNoEndpoints = errors.New("grip: no publish endpoints: set GRIP_URL (see package doc)")

	// ErrInvalidItem: an Item cannot be published as it is. The error is an
	// *ItemError; nothing was sent.
	ErrInvalidItem = errors.New("grip: invalid publish item")

	// ErrInvalidChannel: a channel name the proxies cannot carry (see ValidChannel).
	ErrInvalidChannel = errors.New("grip: invalid channel name")

	// ErrInvalidHold: Hold.Apply was given instructions that cannot be
	// written as GRIP headers; the header was left unchanged.
	ErrInvalidHold = errors.New("grip: invalid hold instruction")
)

// URLError explains why a GRIP_URL was refused. It never contains the key,
// the password or the query string: only the scheme, host and path.
type URLError struct {
	URL     string // scheme://host/path of the URL, or "" when even that could not be read
	Problem string // what is wrong and what to do about it
}

func (e *URLError) Error() string {
	if e.URL == "" {
		return ErrInvalidURL.Error() + ": " + e.Problem
	}
	return ErrInvalidURL.Error() + " " + strconv.Quote(e.URL) + ": " + e.Problem
}

// Is makes errors.Is(err, ErrInvalidURL) true.
func (e *URLError) Is(target error) bool { return target == ErrInvalidURL }

// ItemError tells which item of a Publish call is invalid and why.
type ItemError struct {
	Index int   // position of the item in the Publish arguments
	Err   error // the reason; may wrap ErrInvalidChannel
}

func (e *ItemError) Error() string {
	return fmt.Sprintf("%v %d: %v", ErrInvalidItem, e.Index, e.Err)
}

// Unwrap returns the reason.
func (e *ItemError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInvalidItem) true.
func (e *ItemError) Is(target error) bool { return target == ErrInvalidItem }

// maxErrorBody bounds PublishError.Body.
const maxErrorBody = 512

// PublishError reports a failed publish to one endpoint. With several
// endpoints Publish returns a *DeliveryError holding one per endpoint that
// failed; errors.As finds the first.
type PublishError struct {
	Endpoint   string // the control URI, without credentials
	EndpointID string // the endpoint's ID (Endpoint.ID)
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
