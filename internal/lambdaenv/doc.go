// Package lambdaenv does the cold-start work every function shares: it reads the
// GRIP settings from the environment (or from AWS Secrets Manager), builds the
// publisher and the Grip-Sig verifier once, and guards each request with them.
//
// Environment:
//
//	GRIP_URL             GRIP control URL(s); wins over the secret (local runs, tests)
//	GRIP_URL_SECRET_ARN  Secrets Manager secret holding GRIP_URL (the deployed way)
//	GRIP_PREFIX          optional channel prefix
//	GRIP_SIG_REQUIRED    "true" (default) refuses requests without a valid Grip-Sig;
//	                     "false" only for trying things out behind a trusted proxy
package lambdaenv
