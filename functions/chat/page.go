package main

import (
	_ "embed"
	"net/http"

	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
)

// The page is embedded so the function has no files to ship and no CDN to trust.
//
//go:embed chat.html
var chatPage []byte

func pageResponse() *apigw.Response {
	return &apigw.Response{
		Status: http.StatusOK,
		Header: http.Header{
			"Content-Type":  {"text/html; charset=utf-8"},
			"Cache-Control": {"no-cache"},
		},
		Body: chatPage,
	}
}
