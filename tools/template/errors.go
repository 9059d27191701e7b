package template

import (
	"errors"
	"fmt"
)

// FieldError says which part of the template could not be read.
type FieldError struct {
	Path string // e.g. "Resources.ChatFunction.Properties.Timeout"
	Err  error
}

func (e *FieldError) Error() string { return "template: " + e.Path + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// UnsupportedIntrinsicError is returned for an intrinsic function that a
// local run cannot evaluate (Fn::If, Fn::FindInMap, ...). Replace it with a
// literal, or override the variable in an env-vars file.
type UnsupportedIntrinsicError struct {
	Name string // e.g. "!If" or "Fn::If"
}

func (e *UnsupportedIntrinsicError) Error() string {
	return fmt.Sprintf("intrinsic function %s is not supported locally (use !Ref, !GetAtt, !Sub or !Join)", e.Name)
}

// UnknownReferenceError is returned for a !Ref or ${...} naming neither a
// parameter, a resource nor a pseudo parameter.
type UnknownReferenceError struct {
	Name string
}

func (e *UnknownReferenceError) Error() string {
	return fmt.Sprintf("reference to %q: no such parameter or resource", e.Name)
}

// errNotString is wrapped when a value that must be a string is a list or map.
var errNotString = errors.New("expected a string")
