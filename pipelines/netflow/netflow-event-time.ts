import type { Instant } from '../../sdk/time.js';
import { eventTimeMillis } from './flow-record.js';
import { eventTimeProblem } from './flow-ranges.js';
import { parseFlow, readNumericMember } from './parse-flow.js';

/** The event time of a raw Netflow line, or why it cannot be read. */
export type NetflowEventTime =
  | { readonly ok: true; readonly ms: Instant }
  | { readonly ok: false; readonly reason: 'malformed-json' | 'invalid-event-time'; readonly detail: string };

/**
 * Reads the event time of one raw Netflow JSON line, in epoch ms (as the job's windows use it), the
 * way `parseFlow` reads `eventtime`: a JSON number or numeric string of seconds, within 1970..2100.
 * For sources that must stamp records before the job parses them (Kafka): a line whose event time
 * cannot be read is `malformed-json` (not a JSON object) or `invalid-event-time` (no `eventtime`,
 * not a number, out of range), never a time from another clock. Never throws.
 * @example readNetflowEventTime('{"eventid":1,"eventtime":1490024708.5}') // { ok: true, ms: 1490024708500 }
 * @example readNetflowEventTime('{"eventid":1}') // { ok: false, reason: 'invalid-event-time', detail: 'eventtime is missing' }
 */
export function readNetflowEventTime(text: string): NetflowEventTime {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: 'malformed-json', detail: (e as Error).message };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { ok: false, reason: 'malformed-json', detail: 'not a JSON object' };
  const seconds = readNumericMember(obj as Record<string, unknown>, 'eventtime');
  if (!seconds.ok) return { ok: false, reason: 'invalid-event-time', detail: seconds.reason === 'missing-field' ? 'eventtime is missing' : seconds.detail };
  const problem = eventTimeProblem(seconds.value);
  if (problem) return { ok: false, reason: 'invalid-event-time', detail: problem.detail };
  return { ok: true, ms: eventTimeMillis({ eventtime: seconds.value }) };
}

/**
 * The event time (epoch ms) a source stamps on a raw Netflow line, which moves its watermark: that of
 * the record the job's Parse step accepts (`parseFlow`: all of its fields, `eventtime` as the last
 * such member of the object), or undefined for a line the job will reject for any reason (IPv6, a bad
 * address, a negative count, an `eventtime` only in a nested object, ...). So a rejected line, whatever
 * date it carries, never moves the watermark and makes no good record late; it still reaches the job,
 * which rejects it with its reason and origin. Never throws.
 * @example acceptedEventTime('{"eventid":1,"src_ip4":1,"dst_ip4":2,"src_port":1,"dst_port":2,"duration":0,"in_bytes":0,"in_packets":0,"out_bytes":0,"out_packets":0,"eventtime":1490024708.5,"nproto":"TCP"}') // 1490024708500
 * @example acceptedEventTime('{"src_ip6":"fe80::1","eventtime":4102444000}') // undefined
 */
export function acceptedEventTime(text: string): Instant | undefined {
  const r = parseFlow(text);
  return r.ok ? eventTimeMillis(r.record) : undefined;
}
