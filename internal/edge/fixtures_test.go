package edge

// Realistic events, as the front doors send them for a WebSocket-over-HTTP
// request from Pushpin: a TEXT "hello" from the client (body base64), with a
// Grip-Sig, meta values (one of them empty) and two subprotocols.

// restChatEvent is a REST API (payload 1.0) event. Header names come in
// mixed case, and the multi-value map repeats every header of the
// single-value map, with both values of Sec-WebSocket-Protocol.
const restChatEvent = `{
  "resource": "/chat",
  "path": "/chat",
  "httpMethod": "POST",
  "headers": {
    "accept": "application/websocket-events",
    "Connection-Id": "7f2c9d",
    "content-type": "application/websocket-events",
    "grip-sig": "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJwdXNocGluIn0.c2ln",
    "Host": "abc123.execute-api.us-east-1.amazonaws.com",
    "META-USER": "alice",
    "Meta-Gone": "",
    "Sec-WebSocket-Protocol": "chat.v2",
    "X-Forwarded-For": "203.0.113.9, 198.51.100.2"
  },
  "multiValueHeaders": {
    "accept": ["application/websocket-events"],
    "Connection-Id": ["7f2c9d"],
    "content-type": ["application/websocket-events"],
    "grip-sig": ["eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJwdXNocGluIn0.c2ln"],
    "Host": ["abc123.execute-api.us-east-1.amazonaws.com"],
    "META-USER": ["alice"],
    "Meta-Gone": [""],
    "Sec-WebSocket-Protocol": ["chat.v1", "chat.v2"],
    "X-Forwarded-For": ["203.0.113.9, 198.51.100.2"]
  },
  "queryStringParameters": {"room": "b", "lang": "en"},
  "multiValueQueryStringParameters": {"room": ["a", "b"], "lang": ["en"]},
  "pathParameters": null,
  "stageVariables": null,
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "abc123",
    "resourcePath": "/chat",
    "httpMethod": "POST",
    "path": "/Prod/chat",
    "stage": "Prod",
    "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    "identity": {"sourceIp": "203.0.113.9", "userAgent": "Pushpin"}
  },
  "body": "VEVYVCA1DQpoZWxsbw0K",
  "isBase64Encoded": true
}`

// httpAPIChatEvent is an HTTP API (payload 2.0) event: lower-case names,
// repeated headers comma-joined, cookies in their own array.
const httpAPIChatEvent = `{
  "version": "2.0",
  "routeKey": "POST /chat",
  "rawPath": "/chat",
  "rawQueryString": "room=a&room=b&q=a%20b",
  "cookies": ["session=s1", "theme=dark"],
  "headers": {
    "accept": "application/websocket-events",
    "connection-id": "7f2c9d",
    "content-type": "application/websocket-events",
    "grip-sig": "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJwdXNocGluIn0.c2ln",
    "meta-user": "alice",
    "meta-gone": "",
    "sec-websocket-protocol": "chat.v1,chat.v2"
  },
  "queryStringParameters": {"room": "a,b", "q": "a b"},
  "requestContext": {
    "accountId": "123456789012",
    "apiId": "xyz789",
    "domainName": "xyz789.execute-api.us-east-1.amazonaws.com",
    "domainPrefix": "xyz789",
    "http": {"method": "POST", "path": "/chat", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9", "userAgent": "Pushpin"},
    "requestId": "JKJaXmPLvHcESHA=",
    "routeKey": "POST /chat",
    "stage": "$default",
    "time": "01/May/2026:12:00:00 +0000",
    "timeEpoch": 1777636800000
  },
  "body": "VEVYVCA1DQpoZWxsbw0K",
  "isBase64Encoded": true
}`

// functionURLChatEvent is a Lambda function URL event: payload 2.0 without
// a routeKey, on a *.lambda-url.* domain.
const functionURLChatEvent = `{
  "version": "2.0",
  "rawPath": "/chat",
  "rawQueryString": "",
  "cookies": ["session=s1"],
  "headers": {
    "content-type": "application/websocket-events",
    "connection-id": "7f2c9d",
    "grip-sig": "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJwdXNocGluIn0.c2ln",
    "meta-user": "alice"
  },
  "requestContext": {
    "accountId": "anonymous",
    "apiId": "u4kzmfn3oq",
    "domainName": "u4kzmfn3oq.lambda-url.us-east-1.on.aws",
    "domainPrefix": "u4kzmfn3oq",
    "http": {"method": "POST", "path": "/chat", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9", "userAgent": "Pushpin"},
    "requestId": "0d2a3c5e-1f6b-4c1d-9a8e-2b7f0c4d5e6f",
    "time": "01/May/2026:12:00:00 +0000",
    "timeEpoch": 1777636800000
  },
  "body": "VEVYVCA1DQpoZWxsbw0K",
  "isBase64Encoded": true
}`

// wohHello is what the events' body decodes to.
const wohHello = "TEXT 5\r\nhello\r\n"

const testGripSig = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJwdXNocGluIn0.c2ln"
