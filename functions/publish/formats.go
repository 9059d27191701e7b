package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip"
)

// The GRIP formats as they appear in a message's "formats" object (the
// publish API's own JSON): content as text, or *-bin as base64.
type wireFormats struct {
	HTTPResponse *struct {
		Code    int               `json:"code"`
		Reason  string            `json:"reason"`
		Headers map[string]string `json:"headers"`
		Body    *string           `json:"body"`
		BodyBin *string           `json:"body-bin"`
		Action  string            `json:"action"`
	} `json:"http-response"`
	HTTPStream *struct {
		Content    *string `json:"content"`
		ContentBin *string `json:"content-bin"`
		Action     string  `json:"action"`
	} `json:"http-stream"`
	WSMessage *struct {
		Type       string  `json:"type"`
		Content    *string `json:"content"`
		ContentBin *string `json:"content-bin"`
		Action     string  `json:"action"`
		Code       int     `json:"code"`
		Reason     string  `json:"reason"`
	} `json:"ws-message"`
}

// parseFormats turns a message's "formats" into grip formats; the grip
// package checks the rest (actions, close codes, header values) when it encodes.
func parseFormats(raw []byte) (grip.Formats, error) {
	var w wireFormats
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		e := jsonInputError(err).(*InputError)
		e.Field = "formats." + e.Field
		return grip.Formats{}, e
	}
	var f grip.Formats
	if r := w.HTTPResponse; r != nil {
		body, err := textOrBin(r.Body, r.BodyBin, "formats.http-response.body")
		if err != nil {
			return f, err
		}
		h := http.Header{}
		for k, v := range r.Headers {
			h.Set(k, v)
		}
		f.HTTPResponse = &grip.HTTPResponseFormat{Code: r.Code, Reason: r.Reason, Header: h, Body: body, Action: r.Action}
	}
	if s := w.HTTPStream; s != nil {
		content, err := textOrBin(s.Content, s.ContentBin, "formats.http-stream.content")
		if err != nil {
			return f, err
		}
		f.HTTPStream = &grip.HTTPStreamFormat{Content: content, Action: s.Action}
	}
	if m := w.WSMessage; m != nil {
		content, err := textOrBin(m.Content, m.ContentBin, "formats.ws-message.content")
		if err != nil {
			return f, err
		}
		typ := m.Type
		if typ == "" && m.ContentBin != nil {
			typ = grip.WSTypeBinary
		}
		f.WSMessage = &grip.WSMessageFormat{Type: typ, Content: content, Action: m.Action, Code: m.Code, Reason: m.Reason}
	}
	if f.HTTPResponse == nil && f.HTTPStream == nil && f.WSMessage == nil {
		return f, &InputError{Field: "formats", Reason: "needs at least one of http-response, http-stream, ws-message"}
	}
	return f, nil
}

func textOrBin(text, bin *string, field string) ([]byte, error) {
	switch {
	case text != nil && bin != nil:
		return nil, &InputError{Field: field, Reason: "give the text form or the -bin form, not both"}
	case bin != nil:
		b, err := base64.StdEncoding.DecodeString(*bin)
		if err != nil {
			return nil, &InputError{Field: field + "-bin", Reason: "must be base64"}
		}
		return b, nil
	case text != nil:
		return []byte(*text), nil
	}
	return nil, nil
}
