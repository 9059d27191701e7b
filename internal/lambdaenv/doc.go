// Package lambdaenv reads a function's configuration at cold start: the GRIP
// settings from the environment, or from AWS Secrets Manager, and the
// publisher built from them. Package edge calls it; a function does not.
//
// Environment:
//
//	GRIP_URL             GRIP control URL(s); wins over the secret (local runs, tests)
//	GRIP_URL_SECRET_ARN  Secrets Manager secret holding GRIP_URL (the deployed way)
//	GRIP_PREFIX          optional channel prefix
//	GRIP_SIG_REQUIRED    "true" (default) refuses requests without a valid Grip-Sig;
//	                     "false" only for trying things out behind a trusted proxy
package lambdaenv
