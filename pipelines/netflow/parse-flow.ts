import { exactIntegerField } from './exact-integer-field.js';
import { countProblem, durationProblem, eventTimeProblem, portProblem, type RangeProblem } from './flow-ranges.js';
import { UNSETTABLE_FIELDS, type FlowRecord, type UnsettableField } from './flow-record.js';
import { intToIpv4, isIpv4Int, parseIpv4 } from './ipv4.js';

/**
 * Why an input was not turned into a {@link FlowRecord}. A closed set, so callers can count
 * rejects per reason:
 * - `malformed-json`: the text is not JSON, or the JSON is not an object.
 * - `ipv6`: an IPv6 flow (a `src_ip6` / `dst_ip6` member, or an address with `:`); the job is IPv4 only.
 * - `missing-field`: a required member is absent, `null` or `""`.
 * - `non-numeric-field`: a numeric member is neither a finite number nor a decimal numeric string.
 * - `negative-count`: a byte or packet count, or the duration, is below zero.
 * - `out-of-range`: a value outside its range (see `flow-ranges.ts`): a port outside 0..65535 (or
 *   not an integer), a byte or packet count that is not a whole number up to 2^53 - 1, a duration
 *   above ten years, an event time outside 1970..2100.
 * - `invalid-ip`: an address is neither an unsigned 32-bit integer nor a dotted quad.
 * - `invalid-text-field`: `eventid` or `nproto` is of an unusable type (e.g. an object, a fraction).
 */
export type RejectReason =
  | 'malformed-json'
  | 'ipv6'
  | 'missing-field'
  | 'non-numeric-field'
  | 'negative-count'
  | 'out-of-range'
  | 'invalid-ip'
  | 'invalid-text-field';

/** Every {@link RejectReason}, for building per-reason counters. */
export const REJECT_REASONS: readonly RejectReason[] = [
  'malformed-json',
  'ipv6',
  'missing-field',
  'non-numeric-field',
  'negative-count',
  'out-of-range',
  'invalid-ip',
  'invalid-text-field',
];

/** The outcome of {@link parseFlow}: a record, or the first problem found. */
export type ParseFlowResult =
  | { readonly ok: true; readonly record: FlowRecord }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

type Raw = Record<string, unknown>;
type Read<T> = { ok: true; value: T } | { ok: false; reason: RejectReason; detail: string };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED_INTEGER = /^\d+$/;
const COUNTS = ['duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets'] as const;

/**
 * Validates one Netflow event (JSON text or an already parsed object) into a {@link FlowRecord}.
 * Never throws: every problem comes back as `{ ok: false, reason, detail }` naming the field.
 *
 * Accepted forms, as the original job's events carry them:
 * - numbers may be JSON numbers or numeric strings (`"157"`); other strings are `non-numeric-field`;
 * - `src_ip4` / `dst_ip4` may be unsigned integers, integer strings or dotted quads; when absent,
 *   a dotted `src_ip` / `dst_ip` is used instead;
 * - `eventid` may be a non-negative integer or any non-empty string; integer ids written in the
 *   JSON text keep all their digits even above 2^53 (pass text, not a parsed object, for those);
 * - `unset_fields` (or `unset`), a list of measurement names a reader filled with 0, is kept.
 * IPv6 is detected before any other field check, so IPv6 events always reject as `ipv6`.
 *
 * @example parseFlow('{"eventid":1,"src_ip4":"10.0.0.1","dst_ip4":167772162,"src_port":1,"dst_port":2,' +
 *   '"duration":0,"in_bytes":"10","in_packets":1,"out_bytes":0,"out_packets":0,"eventtime":1490024708,"nproto":"UDP"}')
 *   // { ok: true, record: { eventid: '1', src_ip4: 167772161, ..., src_ip: '10.0.0.1', dst_ip: '10.0.0.2' } }
 * @example parseFlow('{"src_ip6":"fe80::1"}') // { ok: false, reason: 'ipv6', detail: 'src_ip6 present' }
 */
export function parseFlow(raw: string | object): ParseFlowResult {
  let obj: unknown = raw;
  if (typeof raw === 'string') {
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      return reject('malformed-json', (e as Error).message);
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return reject('malformed-json', 'not a JSON object');
  }
  const o = obj as Raw;

  const v6 = ipv6Evidence(o);
  if (v6 !== undefined) return reject('ipv6', v6);

  const eventid = readEventId(o, typeof raw === 'string' ? raw : undefined);
  if (!eventid.ok) return eventid;
  const src = readIp(o, 'src_ip4', 'src_ip');
  if (!src.ok) return src;
  const dst = readIp(o, 'dst_ip4', 'dst_ip');
  if (!dst.ok) return dst;
  const srcPort = readPort(o, 'src_port');
  if (!srcPort.ok) return srcPort;
  const dstPort = readPort(o, 'dst_port');
  if (!dstPort.ok) return dstPort;

  const counts: Record<(typeof COUNTS)[number], number> = {
    duration: 0, in_bytes: 0, in_packets: 0, out_bytes: 0, out_packets: 0,
  };
  for (const field of COUNTS) {
    const value = readNumber(o, field);
    if (!value.ok) return value;
    const problem = field === 'duration' ? durationProblem(value.value) : countProblem(field, value.value);
    if (problem) return rejectRange(problem);
    counts[field] = value.value;
  }

  const eventtime = readNumber(o, 'eventtime');
  if (!eventtime.ok) return eventtime;
  const badTime = eventTimeProblem(eventtime.value);
  if (badTime) return rejectRange(badTime);

  const nproto = o.nproto;
  if (nproto === undefined || nproto === null || nproto === '') return reject('missing-field', 'nproto');
  if (typeof nproto !== 'string') return reject('invalid-text-field', `nproto is a ${typeof nproto}`);

  const record: { -readonly [K in keyof FlowRecord]: FlowRecord[K] } = {
    eventid: eventid.value,
    src_ip4: src.value,
    dst_ip4: dst.value,
    src_port: srcPort.value,
    dst_port: dstPort.value,
    ...counts,
    eventtime: eventtime.value,
    nproto,
    src_ip: intToIpv4(src.value),
    dst_ip: intToIpv4(dst.value),
  };
  if (typeof o.dvc_type === 'string' && o.dvc_type !== '') record.dvc_type = o.dvc_type;
  const unset = readUnset(o.unset_fields ?? o.unset);
  if (unset.length > 0) record.unset = unset;
  return { ok: true, record };
}

function reject(reason: RejectReason, detail: string): { ok: false; reason: RejectReason; detail: string } {
  return { ok: false, reason, detail };
}

function rejectRange(p: RangeProblem): { ok: false; reason: RejectReason; detail: string } {
  return { ok: false, reason: p.reason, detail: p.detail };
}

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** Describes why the event is IPv6, or `undefined` when it is not. */
function ipv6Evidence(o: Raw): string | undefined {
  for (const field of ['src_ip6', 'dst_ip6']) {
    if (!isAbsent(o[field])) return `${field} present`;
  }
  for (const field of ['src_ip', 'dst_ip', 'src_ip4', 'dst_ip4']) {
    const v = o[field];
    if (typeof v === 'string' && v.includes(':')) return `${field} is ${v}`;
  }
  return undefined;
}

function readEventId(o: Raw, text: string | undefined): Read<string> {
  const v = o.eventid;
  if (isAbsent(v)) return reject('missing-field', 'eventid');
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? reject('missing-field', 'eventid') : { ok: true, value: t };
  }
  if (typeof v === 'bigint') return v < 0n ? reject('invalid-text-field', `eventid is ${v}`) : { ok: true, value: v.toString() };
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return reject('invalid-text-field', `eventid is ${v}`);
    if (Number.isSafeInteger(v)) return { ok: true, value: String(v) };
    const exact = text === undefined ? undefined : exactIntegerField(text, 'eventid');
    return { ok: true, value: exact ?? BigInt(v).toString() };
  }
  return reject('invalid-text-field', `eventid is a ${typeof v}`);
}

function readIp(o: Raw, intField: string, dottedField: string): Read<number> {
  let field = intField;
  let v = o[intField];
  if (isAbsent(v) && typeof o[dottedField] === 'string' && o[dottedField] !== '') {
    field = dottedField;
    v = o[dottedField];
  }
  if (isAbsent(v)) return reject('missing-field', intField);
  if (typeof v === 'number') {
    return isIpv4Int(v) ? { ok: true, value: v } : reject('invalid-ip', `${field} is ${v}`);
  }
  if (typeof v === 'string') {
    const t = v.trim();
    const value = UNSIGNED_INTEGER.test(t) ? Number(t) : parseIpv4(t);
    return value !== undefined && isIpv4Int(value)
      ? { ok: true, value }
      : reject('invalid-ip', `${field} is ${JSON.stringify(v)}`);
  }
  return reject('invalid-ip', `${field} is a ${typeof v}`);
}

function readPort(o: Raw, field: string): Read<number> {
  const n = readNumber(o, field);
  if (!n.ok) return n;
  const problem = portProblem(field, n.value);
  return problem ? rejectRange(problem) : n;
}

/**
 * Reads member `field` of a parsed event as a number: a finite JSON number or a decimal numeric
 * string (trimmed). Absent, `null` or `""` is `missing-field`; anything else `non-numeric-field`.
 * @example readNumericMember({ eventtime: '1490024708.5' }, 'eventtime') // { ok: true, value: 1490024708.5 }
 */
export function readNumericMember(o: Readonly<Record<string, unknown>>, field: string): { ok: true; value: number } | { ok: false; reason: 'missing-field' | 'non-numeric-field'; detail: string } {
  return readNumber(o, field) as { ok: true; value: number } | { ok: false; reason: 'missing-field' | 'non-numeric-field'; detail: string };
}

function readNumber(o: Raw, field: string): Read<number> {
  const v = o[field];
  if (isAbsent(v)) return reject('missing-field', field);
  if (typeof v === 'number') {
    return Number.isFinite(v) ? { ok: true, value: v } : reject('non-numeric-field', `${field} is ${v}`);
  }
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return reject('missing-field', field);
    const value = DECIMAL.test(t) ? Number(t) : Number.NaN;
    return Number.isFinite(value)
      ? { ok: true, value }
      : reject('non-numeric-field', `${field} is ${JSON.stringify(v)}`);
  }
  return reject('non-numeric-field', `${field} is a ${typeof v}`);
}

function readUnset(v: unknown): UnsettableField[] {
  if (!Array.isArray(v)) return [];
  return UNSETTABLE_FIELDS.filter((f) => v.includes(f));
}
