// Package history numbers the items published on each channel and keeps the
// recent ones, so that a stateless origin can resume GRIP clients.
//
// # Why
//
// A GRIP proxy orders and resumes a channel's items by their "id" and
// "prev-id". The publish function numbers each batch with
// [Store.AppendItems] and publishes every item with the returned [Entry.ID]
// and [Entry.PrevID]. A long-poll client passes the id of the last item it
// saw, and the origin answers from [Store.Since]:
//
//   - entries after that id: answer at once with them (the client resumes
//     without losing any);
//   - none: hold the request with "Grip-Channel: ch; prev-id=<id>" (for a
//     client without an id, prev-id is [Store.Last]);
//   - an error matching [ErrGap]: the client fell behind what is kept;
//     answer with what was returned and tell it that it missed items.
//
// When the proxy knows the channel moved past a held request's prev-id it
// asks the origin again with "Grip-Last: ch; last-id=<id>": that id goes to
// Since the same way.
//
// A Lambda function keeps nothing between invocations, so the history lives
// outside it: in DynamoDB when deployed ([DynamoStore]), in a local
// directory for the local development stack ([DirStore]). Both are safe for
// concurrent writers, also across processes and Lambda instances: ids are
// unique and consecutive within a channel, and the new entries of one
// append get a consecutive range (in DynamoDB, per transaction). [FromEnv] picks one from HISTORY_DIR or HISTORY_TABLE,
// or none.
//
// # Idempotency keys
//
// A queue delivers a message again when its first delivery failed, and
// the publish function appends it again. [Store.AppendItems] takes a key
// per item (the queue message's id): an item whose key the channel already
// holds is not stored twice and gets the entry it got the first time, so
// the redelivery is published under the same id and long-poll clients see
// the message once.
//
// # IDs
//
// IDs are decimal sequence numbers per channel; the first entry's PrevID
// is "". A [DirStore] starts at "1". A [DynamoStore] starts above a floor
// taken from the clock (Unix microseconds), both for a new channel and for
// one whose counter expired while it was idle: ids never go back, so a
// client holding an id of the earlier numbering is told it missed items
// ([ErrGap]) rather than silently skipping new ones with the same ids.
// [Store.Since] with afterID "0" reads from the start of what is kept;
// afterID "" asks for the most recent entries instead and never reports a
// gap.
//
// # The DynamoDB table
//
// One table for all channels: partition key channel (S), sort key seq (N),
// on-demand capacity, TTL enabled on the attribute ttl. Each channel has a
// head item at seq 0 holding its counter in the attribute last, and a ttl
// moved forward by every append (so it expires with the last entries of an
// idle channel); entries (at the seq of their id) hold data (B), time (N,
// Unix nanoseconds), ttl (N, Unix seconds) and, on the first of a
// numbering, start (BOOL); each idempotency key has an item at a negative seq derived
// from the key, holding the entry's seq, the key and a hash of the data.
// An append costs one TransactGetItems (the counter and the keys) and one
// TransactWriteItems (entries, keys and counter, conditional on the counter)
// per 24 keys, 99 entries or 4 MB; Since one strongly consistent Query per
// page; Last one GetItem. The publishing role needs dynamodb:GetItem,
// PutItem and UpdateItem on the table.
//
// An append stores all its entries or none, so it leaves no hole; see
// [DynamoStore] for the holes earlier versions could leave.
package history
