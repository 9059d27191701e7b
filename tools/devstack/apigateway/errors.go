package apigateway

import (
	"net/http"
	"time"

	"github.com/faas-grip/faas-grip-go/tools/template"
)

// apiErrors are how one kind of API answers what goes wrong: REST APIs and
// HTTP APIs differ in status and message.
type apiErrors struct {
	notFound       func(http.ResponseWriter) int
	tooLarge       func(http.ResponseWriter) int
	internalError  func(http.ResponseWriter) int
	functionFailed func(http.ResponseWriter) int // error, crash or malformed response
	timedOut       func(http.ResponseWriter) int
	timeout        time.Duration
}

var restErrors = apiErrors{
	// A REST API answers an unknown method or path as if it needed auth.
	notFound: func(w http.ResponseWriter) int {
		return writeError(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Missing Authentication Token")
	},
	tooLarge: func(w http.ResponseWriter) int {
		return writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "Request Too Long")
	},
	internalError: func(w http.ResponseWriter) int {
		return writeError(w, http.StatusInternalServerError, "InternalServerErrorException", "Internal server error")
	},
	functionFailed: func(w http.ResponseWriter) int {
		return writeError(w, http.StatusBadGateway, "InternalServerErrorException", "Internal server error")
	},
	timedOut: func(w http.ResponseWriter) int {
		return writeError(w, http.StatusGatewayTimeout, "IntegrationTimeout", "Endpoint request timed out")
	},
	timeout: defaultTimeout,
}

var httpAPIErrors = apiErrors{
	notFound: func(w http.ResponseWriter) int { return writeMessage(w, http.StatusNotFound, "Not Found") },
	tooLarge: func(w http.ResponseWriter) int {
		return writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
	},
	internalError: func(w http.ResponseWriter) int {
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	},
	functionFailed: func(w http.ResponseWriter) int {
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
	},
	timedOut: func(w http.ResponseWriter) int {
		return writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
	},
	timeout: defaultHTTPAPITimeout,
}

func apiOf(r Route) *apiErrors {
	if r.API == template.KindHTTPAPI {
		return &httpAPIErrors
	}
	return &restErrors
}

// forbidden is API Gateway's answer to a Host that is not the API's.
func forbidden(w http.ResponseWriter) int { return writeMessage(w, http.StatusForbidden, "Forbidden") }

// writeMessage answers {"message": "..."} without an error type header, as
// HTTP APIs (and a REST API's host check) do.
func writeMessage(w http.ResponseWriter, status int, message string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(`{"message":"` + message + `"}`))
	return status
}
