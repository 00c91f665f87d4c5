/**
 * What a sensor-log reader makes of one input line.
 *
 * - `flow`: a raw, FlowRecord-shaped object to hand to `parseFlow` (which still validates it and
 *   may reject it, e.g. as `ipv6`).
 * - `skipped`: a line that is legitimately not a flow (another event type, a header, a blank
 *   line). Not an error; callers should not count it as one.
 * - `rejected`: a line that should have been a flow but cannot be read.
 *
 * @example
 * const r = readSuricataEveLine(line);
 * if (r.kind === 'flow') handle(parseFlow(r.raw));
 * else if (r.kind === 'rejected') errors[r.reason]++;
 */
export type ReadResult =
  | { readonly kind: 'flow'; readonly raw: RawFlow }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly detail: string }
  | { readonly kind: 'rejected'; readonly reason: ReadRejectReason; readonly detail: string };

/** Lines that are not flows by design: other event types, log headers, blank lines. */
export type SkipReason = 'not-a-flow' | 'header' | 'blank';

/**
 * Lines that should be flows but cannot be read:
 * - `malformed-json`: a JSON line that does not parse to an object;
 * - `too-deep`: a JSON line nesting arrays and objects more than 1000 levels deep;
 * - `invalid-utf8`, `line-too-long`: a file line that is not valid UTF-8, or longer than a string can be
 *   (from a file reader such as `readZeekConnFile`);
 * - `malformed-line`: a tab-separated line whose column count does not match its `#fields` header;
 * - `missing-header`: a tab-separated data line before any `#fields` header;
 * - `malformed-header`: a tab-separated data line under a `#fields` header naming a column twice;
 * - `missing-field`: a member the mapping needs is absent (or unset, under the `'reject'` policy);
 * - `invalid-timestamp`: the event time cannot be read.
 */
export type ReadRejectReason = 'malformed-json' | 'too-deep' | 'invalid-utf8' | 'line-too-long' | 'malformed-line' | 'missing-header' | 'malformed-header' | 'missing-field' | 'invalid-timestamp';

/**
 * The object a reader hands to `parseFlow`: the Netflow event's member names with values that
 * are still unvalidated (numbers, numeric strings, dotted addresses), plus `src_ip6` / `dst_ip6`
 * for IPv6 flows and `unset_fields` for measurements the sensor left unset.
 */
export type RawFlow = Readonly<Record<string, unknown>>;
