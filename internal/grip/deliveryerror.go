package grip

import (
	"errors"
	"fmt"
	"strings"
)

// DeliveryError reports a publish to several endpoints that some of them
// did not accept. Delivered names those that did, so the caller can
// retry the others only: publishing again to an endpoint that accepted
// the items would deliver them twice to its clients.
//
// errors.As(err, &pe) with a *PublishError still finds the first failure;
// FailedEndpoints gives the IDs of all of them.
type DeliveryError struct {
	Failed    []*PublishError // one per endpoint that did not accept the items, in GRIP_URL order
	Delivered []string        // IDs (Publisher.EndpointIDs) of the endpoints that accepted them
}

func (e *DeliveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "grip: %d of %d endpoints did not accept the items", len(e.Failed), len(e.Failed)+len(e.Delivered))
	for _, f := range e.Failed {
		b.WriteString("; ")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns the failures, for errors.Is and errors.As.
func (e *DeliveryError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f
	}
	return errs
}

// FailedEndpoints returns the IDs of the endpoints a Publish error is
// about, and whether it says. known is false for errors about no
// endpoint in particular (an invalid item, no endpoints configured, a
// foreign error): then no endpoint can be assumed to have accepted
// anything.
func FailedEndpoints(err error) (ids []string, known bool) {
	var de *DeliveryError
	if errors.As(err, &de) {
		for _, f := range de.Failed {
			ids = append(ids, f.EndpointID)
		}
		return ids, true
	}
	var pe *PublishError
	if errors.As(err, &pe) && pe.EndpointID != "" {
		return []string{pe.EndpointID}, true
	}
	return nil, false
}
