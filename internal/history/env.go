package history

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/faas-grip/faas-grip-go/internal/awsenv"
)

// Environment variables read by FromEnv.
const (
	EnvDir        = "HISTORY_DIR"         // directory for a DirStore (local dev); wins over EnvTable
	EnvTable      = "HISTORY_TABLE"       // DynamoDB table for a DynamoStore
	EnvRetention  = "HISTORY_RETENTION"   // DynamoStore retention, a Go duration such as "24h"
	EnvMaxEntries = "HISTORY_MAX_ENTRIES" // DirStore entries kept per channel
)

// FromEnv picks the store the environment asks for, reading its settings
// with getenv (os.Getenv in production, a map in tests):
//
//   - HISTORY_DIR set: a DirStore in that directory (HISTORY_MAX_ENTRIES
//     optional). It wins, so a local run never touches AWS.
//   - else HISTORY_TABLE set: a DynamoStore on that table
//     (HISTORY_RETENTION optional). The client is configured by awsenv from
//     getenv: AWS_REGION, the role's credentials, and AWS_ENDPOINT_URL to
//     reach a local DynamoDB.
//   - neither: a nil Store and a nil error. Callers then run without
//     history: they publish items without ids and cannot resume clients.
//
// Call it once per process (a Lambda cold start) and reuse the store.
func FromEnv(ctx context.Context, getenv func(string) string) (Store, error) {
	if dir := getenv(EnvDir); dir != "" {
		var opts []DirOption
		if v := getenv(EnvMaxEntries); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("history: %s=%q: want a positive whole number", EnvMaxEntries, v)
			}
			opts = append(opts, WithMaxEntries(n))
		}
		s, err := NewDirStore(dir, opts...)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return s, nil
	}
	table := getenv(EnvTable)
	if table == "" {
		return nil, nil
	}
	var opts []DynamoOption
	if v := getenv(EnvRetention); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return nil, fmt.Errorf("history: %s=%q: want a duration such as 24h (0 keeps entries forever)", EnvRetention, v)
		}
		opts = append(opts, WithRetention(d))
	}
	cfg, err := awsenv.Config(getenv)
	if err != nil {
		return nil, fmt.Errorf("history: loading the AWS configuration for table %s: %w", table, err)
	}
	return NewDynamoStore(dynamodb.NewFromConfig(cfg), table, opts...), nil
}
