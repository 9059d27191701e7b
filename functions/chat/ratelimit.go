package main

import (
	"strconv"
	"strings"
	"time"
)

// rateMeta is the connection meta that carries a connection's token bucket
// between requests. The proxy keeps it for us, so the limit needs no store.
// Meta is invisible to the client and arrives only on requests with a valid
// Grip-Sig, so it can be trusted; it is still parsed defensively.
const rateMeta = "chat-rate"

// maxClockSkew is how far in the future a bucket's timestamp may be (it was
// written by another Lambda instance, whose clock may run a little ahead).
const maxClockSkew = time.Minute

// tokenBucket is one connection's allowance. Tokens are counted in
// thousandths so the meta value is integers only.
type tokenBucket struct {
	milli int64     // tokens × 1000
	at    time.Time // when milli was last brought up to date
	told  bool      // the sender was told it is over the limit, since its last accepted message
}

// bucketFromMeta decodes a rate meta value ("<milli>,<unix ms>,<told 0|1>").
//
// No value means a connection we have not limited yet: a full bucket. A value
// that does not decode gets an empty bucket, not a full one: the safe side.
// An empty bucket costs a legitimate sender at most 1/rate seconds, where a
// full one could hand out a fresh burst on every request if anything ever
// produced garbage repeatedly; neither case can panic or go unlimited.
func bucketFromMeta(v string, now time.Time, l Limits) tokenBucket {
	full := int64(l.Burst) * 1000
	if v == "" {
		return tokenBucket{milli: full, at: now}
	}
	empty := tokenBucket{at: now}
	milliStr, rest, ok1 := strings.Cut(v, ",")
	atStr, toldStr, ok2 := strings.Cut(rest, ",")
	if !ok1 || !ok2 || (toldStr != "0" && toldStr != "1") {
		return empty
	}
	milli, err1 := strconv.ParseInt(milliStr, 10, 64)
	atMs, err2 := strconv.ParseInt(atStr, 10, 64)
	if err1 != nil || err2 != nil || milli < 0 || atMs < 0 {
		return empty
	}
	at := time.UnixMilli(atMs)
	if at.After(now.Add(maxClockSkew)) {
		return empty
	}
	return tokenBucket{milli: min(milli, full), at: at, told: toldStr == "1"}
}

// meta encodes the bucket for Set-Meta.
func (b tokenBucket) meta() string {
	told := "0"
	if b.told {
		told = "1"
	}
	var buf [48]byte
	out := strconv.AppendInt(buf[:0], b.milli, 10)
	out = append(out, ',')
	out = strconv.AppendInt(out, b.at.UnixMilli(), 10)
	out = append(out, ',')
	out = append(out, told...)
	return string(out)
}

// take refills the bucket for the time since it was last updated and spends
// one token. It reports false, spending nothing, when none is left.
func (b *tokenBucket) take(now time.Time, l Limits) bool {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		// Computed in float and capped before converting: a connection idle
		// for days, or a huge rate, cannot overflow.
		full := float64(l.Burst) * 1000
		refilled := min(float64(b.milli)+elapsed.Seconds()*l.MessagesPerSecond*1000, full)
		b.milli = int64(refilled)
		b.at = now
	}
	// A timestamp slightly ahead (another instance's clock) is kept as it
	// is: restamping it with our earlier clock would hand out the skew again.
	if b.milli < 1000 {
		return false
	}
	b.milli -= 1000
	b.told = false
	return true
}
