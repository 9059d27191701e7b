package apigw

import "context"

// Handler serves one HTTP request, whichever front door it came through.
//
// Return a Response for every answer the client should see, errors included
// (see Error). Return an error only for failures the function cannot answer
// (a bug, an outage): Lambda logs it and the front door answers 502.
type Handler func(ctx context.Context, r *Request) (*Response, error)
