package main

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/edge"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// pageIsPublic lets anyone fetch the page (GET, HEAD) without a Grip-Sig:
// it is static and trusts no request header. Every POST still needs one.
var pageIsPublic = edge.PublicMethods(http.MethodGet, http.MethodHead)

// The page is embedded so the function has no files to ship and no CDN to trust.
//
//go:embed chat.html
var chatPage []byte

// pagePolicy allows the page's own inline script and style, by hash, and a
// WebSocket to its own origin; nothing else loads, and no one may frame it.
// CSP Level 3 lets 'self' match ws: and wss: of the page's host, which the
// function cannot name: behind the proxy it sees API Gateway's host, not the
// one the browser used. Computed once: the page is fixed at build time.
var pagePolicy = "default-src 'none'" +
	"; script-src " + inlineHash(chatPage, "script") +
	"; style-src " + inlineHash(chatPage, "style") +
	"; connect-src 'self'" +
	"; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// inlineHash is the CSP source for the first inline <tag> of page, whose
// text must be hashed byte for byte. Without one it is 'none': an edit that
// breaks the markup then shows in the browser and in the tests, not as an
// open policy.
func inlineHash(page []byte, tag string) string {
	_, rest, ok := bytes.Cut(page, []byte("<"+tag+">"))
	content, _, ok2 := bytes.Cut(rest, []byte("</"+tag+">"))
	if !ok || !ok2 {
		return "'none'"
	}
	sum := sha256.Sum256(content)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

var pageHeader = http.Header{
	"Content-Type":            {"text/html; charset=utf-8"},
	"Cache-Control":           {"no-cache"},
	"Content-Security-Policy": {pagePolicy},
	"X-Content-Type-Options":  {"nosniff"},
	"Referrer-Policy":         {"no-referrer"},
	"X-Frame-Options":         {"DENY"}, // frame-ancestors for browsers without CSP 2
}

func pageResponse() *apigw.Response {
	return &apigw.Response{
		Status: http.StatusOK,
		Header: pageHeader.Clone(), // a copy: the adapter or a wrapper may add to it
		Body:   chatPage,
	}
}
