package edge

import (
	"net/url"
	"slices"
)

// queryV1 merges the query maps of a payload 1.0 event: as for headers, the
// multi-value list wins. Query names are case-sensitive and kept as they are.
func queryV1(single map[string]string, multi map[string][]string) url.Values {
	query := make(url.Values, max(len(single), len(multi)))
	for k, vs := range multi {
		query[k] = slices.Clone(vs)
	}
	for k, v := range single {
		if _, ok := query[k]; !ok {
			query[k] = []string{v}
		}
	}
	return query
}

// queryV2 parses rawQueryString. A hand-written event may carry only
// queryStringParameters: those are used then.
func queryV2(raw string, params map[string]string) url.Values {
	if raw == "" && len(params) > 0 {
		query := make(url.Values, len(params))
		for k, v := range params {
			query[k] = []string{v}
		}
		return query
	}
	query, _ := url.ParseQuery(raw) // keeps every well-formed pair
	return query
}
