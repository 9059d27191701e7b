package edge

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Front doors pass header names in any case, and a map may hold one name
// in several spellings ("x-a" and "X-A"). Names are read in sorted order so
// that the result never depends on a map's iteration order.

// headerV1 merges the two header maps of a payload 1.0 event: a name's
// multi-value list wins over its single value.
func headerV1(single map[string]string, multi map[string][]string) http.Header {
	header := make(http.Header, max(len(single), len(multi)))
	// All values share one backing array: one allocation instead of one
	// per header (net/textproto does the same).
	count := len(single)
	for _, values := range multi {
		count += len(values)
	}
	slab := make([]string, 0, count)
	for _, name := range slices.Sorted(maps.Keys(multi)) {
		ck := http.CanonicalHeaderKey(name)
		if seen, ok := header[ck]; ok {
			header[ck] = append(seen, multi[name]...)
			continue
		}
		from := len(slab)
		slab = append(slab, multi[name]...)
		header[ck] = slab[from:len(slab):len(slab)] // capped: a later append copies
	}
	for _, name := range slices.Sorted(maps.Keys(single)) {
		ck := http.CanonicalHeaderKey(name)
		if _, ok := header[ck]; ok {
			continue // the multi-value list has it, or an earlier spelling
		}
		slab = append(slab, single[name])
		header[ck] = slab[len(slab)-1 : len(slab) : len(slab)]
	}
	return header
}

// headerV2 canonicalizes the names of a payload 2.0 event, whose repeated
// headers arrive already joined with commas; several spellings of one name
// keep all their values. Cookies, which payload 2.0 moves to their own
// list, become one Cookie header again.
func headerV2(headers map[string]string, cookies []string) http.Header {
	header := make(http.Header, len(headers)+1)
	slab := make([]string, 0, len(headers))
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		ck := http.CanonicalHeaderKey(name)
		if seen, ok := header[ck]; ok {
			header[ck] = append(seen, headers[name])
			continue
		}
		slab = append(slab, headers[name])
		header[ck] = slab[len(slab)-1 : len(slab) : len(slab)]
	}
	if len(cookies) > 0 {
		header["Cookie"] = []string{strings.Join(cookies, "; ")}
	}
	return header
}
