package apigw

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// httpEvent holds what Adapt reads from any of the three event shapes,
// decoded in one pass (encoding/json would validate, then decode, and Adapt
// would need a second decode once it knew the shape).
//
// It matches encoding/json decoding into the events types: member names in
// any case, the last of repeated members wins (maps merge), null leaves a
// string as it was and clears a map or list. A member of the wrong JSON type
// is an error when the event's own type has that member; members Adapt
// does not read are only checked for syntax.
type httpEvent struct {
	version, httpMethod, routeKey string
	path                          string // v1
	rawPath, rawQuery             string // v2
	body                          string
	isBase64                      bool
	headers                       []singleField
	query                         map[string]string
	multiHeaders                  []multiField        // v1
	multiQuery                    map[string][]string // v1
	cookies                       []string            // v2

	ctx struct {
		domainName, routeKey, requestID string
		httpMethod, sourceIP            string // v1: requestContext.httpMethod, identity.sourceIp
		http                            struct{ method, path, sourceIP string }
	}

	// wrongV1 and wrongV2 name a member of the wrong type that only that
	// shape reads; it fails the event only if it is of that shape.
	wrongV1, wrongV2 string

	// slab backs every multi-value list: one allocation, not one per header.
	slab []string
}

type eventKind int

const (
	kindV1 eventKind = iota
	kindV2
	kindFunctionURL
)

// readEvent decodes an event; the error wraps ErrUnknownEvent.
func readEvent(payload string) (*httpEvent, error) {
	e := &httpEvent{}
	r := &jsonReader{s: payload}
	wrong := ""
	switch r.peek() {
	case '{':
		wrong = e.readTop(r)
	case 'n':
		r.literal("null") // as encoding/json: no event fields at all
	default:
		r.skip()
		wrong = "the event"
	}
	r.end()
	switch {
	case r.err != nil:
		return nil, fmt.Errorf("%w: %w", ErrUnknownEvent, r.err)
	case wrong != "":
		return nil, fmt.Errorf("%w: %s has the wrong JSON type", ErrUnknownEvent, wrong)
	}
	return e, nil
}

// kind tells the event shapes apart; see Adapt.
func (e *httpEvent) kind() (eventKind, error) {
	kind := kindFunctionURL
	switch {
	case e.httpMethod != "":
		kind = kindV1
	case e.version != "2.0" || e.ctx.http.method == "":
		return 0, fmt.Errorf("%w: no httpMethod, and no version 2.0 with requestContext.http.method", ErrUnknownEvent)
	case strings.Contains(e.ctx.domainName, ".lambda-url."):
	case e.routeKey != "" || e.ctx.routeKey != "":
		kind = kindV2
	}
	if wrong := e.wrongV1; kind == kindV1 && wrong != "" {
		return 0, fmt.Errorf("%w: %s has the wrong JSON type", ErrUnknownEvent, wrong)
	}
	if wrong := e.wrongV2; kind != kindV1 && wrong != "" {
		return 0, fmt.Errorf("%w: %s has the wrong JSON type", ErrUnknownEvent, wrong)
	}
	return kind, nil
}

// request converts the event as FromV1, FromV2 or FromFunctionURL would.
func (e *httpEvent) request(kind eventKind) (*Request, error) {
	if kind == kindV1 {
		return v1Event{
			method:       e.httpMethod, // never empty here: it is what makes the event v1
			path:         e.path,
			headers:      e.headers,
			multiHeaders: e.multiHeaders,
			query:        e.query,
			multiQuery:   e.multiQuery,
			body:         e.body,
			isBase64:     e.isBase64,
			requestID:    e.ctx.requestID,
			sourceIP:     e.ctx.sourceIP,
		}.request()
	}
	return v2Event{
		method:    e.ctx.http.method,
		rawPath:   e.rawPath,
		httpPath:  e.ctx.http.path,
		rawQuery:  e.rawQuery,
		query:     e.query,
		headers:   e.headers,
		cookies:   e.cookies,
		body:      e.body,
		isBase64:  e.isBase64,
		requestID: e.ctx.requestID,
		sourceIP:  e.ctx.http.sourceIP,
	}.request()
}

// readTop reads the event object; it returns the name of a member of the
// wrong type that every shape reads, if any.
func (e *httpEvent) readTop(r *jsonReader) (wrong string) {
	if !r.enter() {
		return ""
	}
	for first := true; r.more('}', &first); {
		k := r.key()
		ok := true
		switch memberName(k, topMembers) {
		case "version":
			ok = r.readString(&e.version)
		case "httpMethod":
			ok = r.readString(&e.httpMethod)
		case "routeKey":
			ok = r.readString(&e.routeKey)
		case "body":
			ok = r.readString(&e.body)
		case "isBase64Encoded":
			ok = r.readBool(&e.isBase64)
		case "headers":
			ok = r.readSingleFields(&e.headers)
		case "queryStringParameters":
			ok = r.readStringMap(&e.query)
		case "requestContext":
			ok = e.readContext(r)
		case "path":
			e.wrongV1 = orWrong(e.wrongV1, k, r.readString(&e.path))
		case "multiValueHeaders":
			e.wrongV1 = orWrong(e.wrongV1, k, r.readMultiFields(&e.multiHeaders, &e.slab))
		case "multiValueQueryStringParameters":
			e.wrongV1 = orWrong(e.wrongV1, k, r.readListMap(&e.multiQuery, &e.slab))
		case "rawPath":
			e.wrongV2 = orWrong(e.wrongV2, k, r.readString(&e.rawPath))
		case "rawQueryString":
			e.wrongV2 = orWrong(e.wrongV2, k, r.readString(&e.rawQuery))
		case "cookies":
			e.wrongV2 = orWrong(e.wrongV2, k, r.readList(&e.cookies, &e.slab))
		default:
			r.skip()
		}
		if !ok && wrong == "" {
			wrong = k
		}
	}
	return wrong
}

// The members Adapt reads, by object.
var (
	topMembers = []string{"version", "httpMethod", "routeKey", "body", "isBase64Encoded", "headers",
		"queryStringParameters", "requestContext", "path", "multiValueHeaders",
		"multiValueQueryStringParameters", "rawPath", "rawQueryString", "cookies"}
	contextMembers  = []string{"domainName", "routeKey", "requestId", "http", "httpMethod", "identity"}
	httpMembers     = []string{"method", "path", "sourceIp"}
	identityMembers = []string{"sourceIp"}
)

// memberName returns the one of names that key stands for, matching as
// encoding/json does (exactly, else ignoring case with Unicode folding),
// or "" for a member Adapt does not read.
func memberName(key string, names []string) string {
	for _, n := range names {
		if key == n {
			return n
		}
	}
	ascii := true
	for i := 0; i < len(key) && ascii; i++ {
		ascii = key[i] < utf8.RuneSelf
	}
	for _, n := range names {
		// Folding keeps the length of ASCII text; non-ASCII ("ſ" folds
		// to "s") may not.
		if (len(key) == len(n) || !ascii) && strings.EqualFold(key, n) {
			return n
		}
	}
	return ""
}

// readContext reads requestContext; false if it is not an object.
func (e *httpEvent) readContext(r *jsonReader) bool {
	if r.null() {
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	ok := true
	for first := true; r.more('}', &first); {
		k := r.key()
		switch memberName(k, contextMembers) {
		case "domainName":
			ok = r.readString(&e.ctx.domainName) && ok
		case "routeKey":
			ok = r.readString(&e.ctx.routeKey) && ok
		case "requestId":
			ok = r.readString(&e.ctx.requestID) && ok
		case "http":
			ok = e.readContextHTTP(r) && ok
		case "httpMethod":
			e.wrongV1 = orWrong(e.wrongV1, "requestContext."+k, r.readString(&e.ctx.httpMethod))
		case "identity":
			e.wrongV1 = orWrong(e.wrongV1, "requestContext."+k, readObject(r, func(k string) bool {
				if memberName(k, identityMembers) == "sourceIp" {
					return r.readString(&e.ctx.sourceIP)
				}
				r.skip()
				return true
			}))
		default:
			r.skip()
		}
	}
	return ok
}

// readContextHTTP reads requestContext.http; false if its method (or the
// object itself) has the wrong type.
func (e *httpEvent) readContextHTTP(r *jsonReader) bool {
	ok := true
	isObject := readObject(r, func(k string) bool {
		switch memberName(k, httpMembers) {
		case "method":
			ok = r.readString(&e.ctx.http.method) && ok
		case "path":
			e.wrongV2 = orWrong(e.wrongV2, "requestContext.http."+k, r.readString(&e.ctx.http.path))
		case "sourceIp":
			e.wrongV2 = orWrong(e.wrongV2, "requestContext.http."+k, r.readString(&e.ctx.http.sourceIP))
		default:
			r.skip()
		}
		return true
	})
	return isObject && ok
}

// readObject reads an object (null is fine) calling member for each member
// name; false if the value is no object or a member says so.
func readObject(r *jsonReader, member func(key string) bool) bool {
	if r.null() {
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	ok := true
	for first := true; r.more('}', &first); {
		ok = member(r.key()) && ok
	}
	return ok
}

// orWrong keeps the first wrongly typed member's name.
func orWrong(wrong, name string, ok bool) string {
	if ok || wrong != "" {
		return wrong
	}
	return name
}

// readString reads a string member; null leaves dst as it was. False if
// the value is of another type (it is skipped).
func (r *jsonReader) readString(dst *string) bool {
	switch r.peek() {
	case '"':
		*dst = r.str()
	case 'n':
		r.literal("null")
	default:
		r.skip()
		return false
	}
	return true
}

func (r *jsonReader) readBool(dst *bool) bool {
	switch r.peek() {
	case 't':
		r.literal("true")
		*dst = true
	case 'f':
		r.literal("false")
		*dst = false
	case 'n':
		r.literal("null")
	default:
		r.skip()
		return false
	}
	return true
}

// readStringMap reads an object of strings into *dst, adding to what is
// there; null clears it, and a null value is "".
func (r *jsonReader) readStringMap(dst *map[string]string) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	if *dst == nil {
		*dst = make(map[string]string, 16)
	}
	ok := true
	for first := true; r.more('}', &first); {
		k := r.key()
		var v string
		ok = r.readString(&v) && ok
		(*dst)[k] = v
	}
	return ok
}

// readListMap reads an object of string lists, as readStringMap.
func (r *jsonReader) readListMap(dst *map[string][]string, slab *[]string) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	if *dst == nil {
		*dst = make(map[string][]string, 16)
	}
	ok := true
	for first := true; r.more('}', &first); {
		k := r.key()
		var v []string
		ok = r.readList(&v, slab) && ok
		(*dst)[k] = v
	}
	return ok
}

// readList reads an array of strings (a null element is ""); null is nil
// and [] is empty but not nil, as encoding/json has them. The elements go
// at the end of *slab, and the list is a capped window on it.
func (r *jsonReader) readList(dst *[]string, slab *[]string) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if r.peek() != '[' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	if *slab == nil {
		*slab = make([]string, 0, 32)
	}
	from := len(*slab)
	ok := true
	for first := true; r.more(']', &first); {
		var v string
		ok = r.readString(&v) && ok
		*slab = append(*slab, v)
	}
	*dst = (*slab)[from:len(*slab):len(*slab)]
	return ok
}

// readSingleFields reads an object of strings, appending to *dst as a map
// would merge; null clears it, and a null value is "".
func (r *jsonReader) readSingleFields(dst *[]singleField) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	if *dst == nil {
		*dst = make([]singleField, 0, 16)
	}
	ok := true
	for first := true; r.more('}', &first); {
		f := singleField{name: r.key()}
		ok = r.readString(&f.value) && ok
		*dst = append(*dst, f)
	}
	return ok
}

// readMultiFields reads an object of string lists, as readSingleFields.
func (r *jsonReader) readMultiFields(dst *[]multiField, slab *[]string) bool {
	if r.null() {
		*dst = nil
		return true
	}
	if r.peek() != '{' {
		r.skip()
		return false
	}
	if !r.enter() {
		return true
	}
	if *dst == nil {
		*dst = make([]multiField, 0, 16)
	}
	ok := true
	for first := true; r.more('}', &first); {
		f := multiField{name: r.key()}
		ok = r.readList(&f.values, slab) && ok
		*dst = append(*dst, f)
	}
	return ok
}
