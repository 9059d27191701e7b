package edge

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/faas-grip/faas-grip-go/internal/emf"
	"github.com/faas-grip/faas-grip-go/internal/grip"
	"github.com/faas-grip/faas-grip-go/internal/grip/apigw"
	"github.com/faas-grip/faas-grip-go/internal/grip/sig"
)

// Option changes what ServeHTTP and NewHTTPHandler serve.
type Option func(*options)

type options struct {
	public     map[string]bool // methods served without a Grip-Sig check
	secrets    secretGetter    // nil: a Secrets Manager client from the environment
	verifyOnly bool            // refuse a GRIP URL with a publish credential
	metrics    *emf.Writer     // nil: no metrics (outside Lambda, tests)
}

// withMetrics has the edge write its metrics (refusals) to m, and hands m
// to the setup (ColdStart.Metrics).
func withMetrics(m *emf.Writer) Option { return func(o *options) { o.metrics = m } }

// PublicMethods lets requests with these methods reach the handler without
// a Grip-Sig check. Use it only for answers that trust no request header
// and reveal nothing, such as a static page (the chat's GET /chat): anyone
// can send those requests.
func PublicMethods(methods ...string) Option {
	return func(o *options) {
		for _, m := range methods {
			o.public[m] = true
		}
	}
}

// VerifyOnly is for a function that never publishes and only checks
// Grip-Sig (stream, long-poll): its cold start stops when its GRIP URL
// carries a publish credential (key=, user:password@). Such a function is
// given the GRIP URL without it (template.yaml: GripVerifySecret), so a
// function that can be reached from the Internet cannot leak or use it.
func VerifyOnly() Option { return func(o *options) { o.verifyOnly = true } }

// NewHTTPHandler is ServeHTTP without the Lambda runtime: it returns the
// function as deployed, event JSON in and response JSON out (the front
// door's event adapted, the Grip-Sig check, then the handler, under panic
// recovery), for tests and benchmarks.
func NewHTTPHandler(ctx context.Context, getenv func(string) string, logger *slog.Logger, setup func(context.Context, ColdStart) (apigw.Handler, error), opts ...Option) (lambda.Handler, error) {
	h, err := newGuardedHandler(ctx, getenv, logger, setup, opts...)
	if err != nil {
		return nil, err
	}
	return adapt(h), nil
}

// newGuardedHandler is NewHTTPHandler before the event adaptation.
func newGuardedHandler(ctx context.Context, getenv func(string) string, logger *slog.Logger, setup func(context.Context, ColdStart) (apigw.Handler, error), opts ...Option) (apigw.Handler, error) {
	o := options{public: map[string]bool{}}
	for _, opt := range opts {
		opt(&o)
	}
	cold, err := load(ctx, getenv, logger, o.secrets)
	if err != nil {
		return nil, err
	}
	if o.verifyOnly {
		if err := checkVerifyOnly(cold.Grip); err != nil {
			return nil, err
		}
	}
	if err := loadTokens(ctx, &cold, o.secrets); err != nil {
		return nil, err
	}
	cold.Metrics = o.metrics
	policy, err := sig.NewPolicy(cold.Grip.Endpoints, sig.PolicyOptions{Required: cold.sigRequired, Deployed: cold.Deployed})
	if err != nil {
		return nil, err
	}
	h, err := setup(ctx, cold)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, errNoHandler
	}
	return recoverHTTP(logger, guard(policy, o.public, logger, o.metrics, h)), nil
}

// guard runs h only for requests the Grip-Sig policy accepts (or with a
// public method). A refusal is logged with its reason, never a key or
// token, and counted by its code (metricRefused).
func guard(policy *sig.Policy, public map[string]bool, logger *slog.Logger, metrics *emf.Writer, h apigw.Handler) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (*apigw.Response, error) {
		if public[r.Method] {
			return h(ctx, r)
		}
		if refused := policy.Authorize(r.Header); refused != nil {
			logger.WarnContext(ctx, "request refused", "request_id", r.RequestID, "status", refused.Status, "reason", refused.Reason)
			_ = metrics.Emit([]emf.Dimension{{Name: "Reason", Value: refused.Code}}, emf.Metric{Name: metricRefused, Unit: emf.Count, Value: 1})
			return apigw.Error(refused.Status, refused.Message), nil
		}
		return h(ctx, r)
	}
}

// checkVerifyOnly refuses endpoints that carry a publish credential. The
// error names the endpoint by its control URI and the kind of credential,
// never the credential or the user name.
func checkVerifyOnly(cfg grip.Config) error {
	for i, ep := range cfg.Endpoints {
		var found string
		switch {
		case len(ep.Key) > 0:
			found = "key="
		case ep.Username != "" || ep.Password != "":
			found = "user:password@"
		default:
			continue
		}
		return fmt.Errorf("GRIP URL (endpoint %d of %d, %s) carries a publish credential (%s), which this function never uses: "+
			"remove key= and user:password@ from it and keep them in the GRIP URL of the functions that publish "+
			"(template.yaml: GripVerifyUrl is the one without them). A legacy Fanout Cloud realm key still checks Grip-Sig "+
			"when given as verify-key=base64:<key>", i+1, len(cfg.Endpoints), ep.ControlURI, found)
	}
	return nil
}
