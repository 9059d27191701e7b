package runtimeapi

import (
	"encoding/json"
	"errors"
)

// Sentinel causes of an *Error that did not come from the function's code.
var (
	// ErrTimeout: the invocation ran past the function's timeout. The process
	// was killed; the next invocation starts a new one.
	ErrTimeout = errors.New("runtimeapi: the function timed out")
	// ErrExited: the function's process exited (crashed) before it answered.
	ErrExited = errors.New("runtimeapi: the function's process exited")
	// ErrInit: the function failed during init (it reported an init error,
	// exited, or did not ask for its first invocation in time).
	ErrInit = errors.New("runtimeapi: the function failed to initialize")
	// ErrResponseTooLarge: the response was larger than Lambda allows.
	ErrResponseTooLarge = errors.New("runtimeapi: the function's response is too large")
)

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("runtimeapi: function closed")

// Error is an invocation that ended in an error, as Lambda reports it to the
// invoker: an error the function returned (or panicked with), or one the
// runtime environment raised (timeout, crash).
type Error struct {
	Type    string // errorType, e.g. "errorString", "Runtime.ExitError", "Sandbox.Timedout"
	Message string // errorMessage
	// Payload is the JSON Lambda answers the invoker with, as
	// `sam local invoke` prints it.
	Payload []byte
	// Err is one of the sentinel errors above, or nil when the function's
	// code reported the error itself.
	Err error
}

func (e *Error) Error() string {
	if e.Type == "" {
		return "function error: " + e.Message
	}
	return "function error " + e.Type + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// errorPayload is the JSON shape of a Lambda error.
type errorPayload struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType,omitempty"`
}

// newRuntimeError builds the error Lambda itself raises, e.g. for a timeout:
// {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: ... Error: Task timed out after 3.00 seconds"}.
func newRuntimeError(cause error, errType, requestID, msg string) *Error {
	full := "RequestId: " + requestID + " Error: " + msg
	payload, _ := json.Marshal(errorPayload{ErrorMessage: full, ErrorType: errType})
	return &Error{Type: errType, Message: full, Payload: payload, Err: cause}
}

// newFunctionError reads the error a function posted to /error. A body that
// is not a Lambda error document is wrapped into one.
func newFunctionError(body []byte, headerType string) *Error {
	var p errorPayload
	if err := json.Unmarshal(body, &p); err != nil || (p.ErrorMessage == "" && p.ErrorType == "") {
		p = errorPayload{ErrorMessage: string(body), ErrorType: headerType}
		body, _ = json.Marshal(p)
	}
	if p.ErrorType == "" {
		p.ErrorType = headerType
	}
	return &Error{Type: p.ErrorType, Message: p.ErrorMessage, Payload: body}
}
