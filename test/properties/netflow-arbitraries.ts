import fc from 'fast-check';
import type { FlowRecord } from '../../pipelines/netflow/flow-record.js';
import { MAX_COUNT, MAX_DURATION_S, MAX_EVENT_TIME_S, MIN_EVENT_TIME_S } from '../../pipelines/netflow/flow-ranges.js';
import { parseFlow, REJECT_REASONS } from '../../pipelines/netflow/parse-flow.js';
import type { ReadResult } from '../../pipelines/netflow/readers/read-result.js';
import { readSuricataEveLine } from '../../pipelines/netflow/readers/suricata-eve.js';
import { ZeekConnParser } from '../../pipelines/netflow/readers/zeek-conn.js';

/**
 * Arbitraries and helpers for fuzzing the Netflow readers and job with fast-check: valid lines of
 * each format, garbage (random bytes, random text, mutated valid records), and the outcome of one
 * line through a reader and `parseFlow`.
 */

/** What one input line became: a validated flow, a line that is not a flow, or a reject with its reason. */
export type LineOutcome =
  | { readonly kind: 'flow'; readonly record: FlowRecord }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly stage: 'read' | 'parse'; readonly reason: string; readonly detail: string };

export const SKIP_REASONS: readonly string[] = ['not-a-flow', 'header', 'blank'];
export const READ_REJECT_REASONS: readonly string[] = ['malformed-json', 'malformed-line', 'missing-header', 'missing-field', 'invalid-timestamp'];

export type ReaderName = 'suricata' | 'zeek-json' | 'zeek-tsv' | 'ndjson';

/** A fresh line-at-a-time reader (reader + parseFlow) of one format. */
export function lineReader(reader: ReaderName): (line: string) => LineOutcome {
  const fromParse = (raw: string | object): LineOutcome => {
    const r = parseFlow(raw);
    return r.ok ? { kind: 'flow', record: r.record } : { kind: 'rejected', stage: 'parse', reason: r.reason, detail: r.detail };
  };
  const fromRead = (r: ReadResult): LineOutcome =>
    r.kind === 'flow' ? fromParse(r.raw) : r.kind === 'skipped' ? { kind: 'skipped', reason: r.reason } : { kind: 'rejected', stage: 'read', reason: r.reason, detail: r.detail };
  if (reader === 'suricata') return (line) => fromRead(readSuricataEveLine(line));
  if (reader === 'ndjson') return (line) => fromParse(line);
  const parser = new ZeekConnParser();
  return (line) => fromRead(parser.read(line));
}

/** Every field of a validated record within its range; returns what is wrong, or undefined. */
export function recordProblem(r: FlowRecord): string | undefined {
  const uint = (x: number, max: number) => Number.isInteger(x) && x >= 0 && x <= max;
  if (typeof r.eventid !== 'string' || r.eventid.trim() === '') return 'eventid';
  if (!uint(r.src_ip4, 0xffff_ffff) || !uint(r.dst_ip4, 0xffff_ffff)) return 'address';
  if (!uint(r.src_port, 65535) || !uint(r.dst_port, 65535)) return 'port';
  for (const c of [r.in_bytes, r.in_packets, r.out_bytes, r.out_packets]) if (!uint(c, MAX_COUNT)) return 'count';
  if (!(Number.isFinite(r.duration) && r.duration >= 0 && r.duration <= MAX_DURATION_S)) return 'duration';
  if (!(Number.isFinite(r.eventtime) && r.eventtime >= MIN_EVENT_TIME_S && r.eventtime < MAX_EVENT_TIME_S)) return 'eventtime';
  if (typeof r.nproto !== 'string' || r.nproto === '') return 'nproto';
  return undefined;
}

/** True when the outcome is one of the allowed kinds with a known, non-empty reason (and a valid record). */
export function outcomeProblem(o: LineOutcome): string | undefined {
  if (o.kind === 'flow') return recordProblem(o.record);
  if (o.kind === 'skipped') return SKIP_REASONS.includes(o.reason) ? undefined : `skip reason ${o.reason}`;
  const known = o.stage === 'read' ? READ_REJECT_REASONS : (REJECT_REASONS as readonly string[]);
  if (!known.includes(o.reason)) return `${o.stage} reason ${o.reason}`;
  return typeof o.detail === 'string' && o.detail !== '' ? undefined : 'no detail';
}

// ---------------------------------------------------------------------------------------------
// Valid flows
// ---------------------------------------------------------------------------------------------

/** The measurements of a valid flow, in the forms every format shares. */
export interface FlowSpec {
  readonly id: number;
  readonly src: number;
  readonly dst: number;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly proto: 'TCP' | 'UDP' | 'ICMP';
  readonly inBytes: number;
  readonly inPackets: number;
  readonly outBytes: number;
  readonly outPackets: number;
  /** Start, whole micro-seconds since the epoch. */
  readonly startUs: number;
  /** Duration, whole micro-seconds. */
  readonly durationUs: number;
}

const T0_US = Date.UTC(2021, 5, 6, 14, 0, 0) * 1000;

/**
 * A valid flow. Few source addresses and a start within 12 s, so several flows share a key and a
 * 3 s window and pair up; ids are unique per list when taken from {@link arbFlowSpecs}.
 */
export const arbFlowSpec: fc.Arbitrary<Omit<FlowSpec, 'id'>> = fc.record({
  src: fc.constantFrom(0x0a00_0001, 0x0a00_0002, 0xc0a8_0184),
  dst: fc.integer({ min: 0, max: 0xffff_ffff }),
  srcPort: fc.integer({ min: 0, max: 65535 }),
  dstPort: fc.integer({ min: 0, max: 65535 }),
  proto: fc.constantFrom('TCP' as const, 'UDP' as const, 'ICMP' as const),
  inBytes: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, MAX_COUNT)),
  inPackets: fc.integer({ min: 0, max: 1000 }),
  outBytes: fc.integer({ min: 0, max: 1_000_000_000 }),
  outPackets: fc.integer({ min: 0, max: 1000 }),
  startUs: fc.integer({ min: 0, max: 12_000_000 }).map((d) => T0_US + d),
  durationUs: fc.integer({ min: 0, max: 600_000_000 }),
});

/** Valid flows with ids 1000001, 1000002, ... (ids no garbage arbitrary makes by chance). */
export const arbFlowSpecs = (maxLength: number): fc.Arbitrary<FlowSpec[]> =>
  fc.array(arbFlowSpec, { minLength: 1, maxLength }).map((xs) => xs.map((x, i) => ({ ...x, id: 1_000_001 + i })));

const dotted = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const isoMicros = (us: number) => `${new Date(Math.floor(us / 1000)).toISOString().slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}+0000`;
const secondsText = (us: number) => `${Math.floor(us / 1e6)}.${String(us % 1_000_000).padStart(6, '0')}`;

/** The flow as a Suricata EVE `flow` event. */
export function suricataLine(f: FlowSpec): string {
  return JSON.stringify({
    timestamp: isoMicros(f.startUs + f.durationUs), flow_id: f.id, event_type: 'flow', src_ip: dotted(f.src), src_port: f.srcPort, dest_ip: dotted(f.dst), dest_port: f.dstPort, proto: f.proto,
    flow: { pkts_toserver: f.inPackets, pkts_toclient: f.outPackets, bytes_toserver: f.inBytes, bytes_toclient: f.outBytes, start: isoMicros(f.startUs), end: isoMicros(f.startUs + f.durationUs), state: 'closed' },
  });
}

/** The flow as a Zeek conn.log JSON line. */
export function zeekJsonLine(f: FlowSpec): string {
  return JSON.stringify({
    ts: Number(secondsText(f.startUs)), uid: `C${f.id}`, 'id.orig_h': dotted(f.src), 'id.orig_p': f.srcPort, 'id.resp_h': dotted(f.dst), 'id.resp_p': f.dstPort, proto: f.proto.toLowerCase(),
    duration: f.durationUs / 1e6, orig_bytes: f.inBytes, resp_bytes: f.outBytes, orig_pkts: f.inPackets, resp_pkts: f.outPackets, conn_state: 'SF',
  });
}

/** The header lines of the Zeek TSV lines of {@link zeekTsvRow}. */
export const ZEEK_TSV_HEADER: readonly string[] = [
  '#separator \\x09',
  '#unset_field\t-',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\torig_pkts\tresp_pkts',
];

/** The flow as a Zeek conn.log TSV row (after {@link ZEEK_TSV_HEADER}). */
export function zeekTsvRow(f: FlowSpec): string {
  return [secondsText(f.startUs), `C${f.id}`, dotted(f.src), f.srcPort, dotted(f.dst), f.dstPort, f.proto.toLowerCase(), (f.durationUs / 1e6).toFixed(6), f.inBytes, f.outBytes, f.inPackets, f.outPackets].join('\t');
}

/** The flow as the job's raw Netflow JSON line. */
export function netflowLine(f: FlowSpec): string {
  return JSON.stringify({
    eventid: f.id, src_ip4: f.src, dst_ip4: f.dst, src_port: f.srcPort, dst_port: f.dstPort, duration: f.durationUs / 1e6,
    in_bytes: f.inBytes, in_packets: f.inPackets, out_bytes: f.outBytes, out_packets: f.outPackets, eventtime: Number(secondsText(f.startUs)), nproto: f.proto,
  });
}

export const LINE_OF: Readonly<Record<ReaderName, (f: FlowSpec) => string>> = {
  suricata: suricataLine,
  'zeek-json': zeekJsonLine,
  'zeek-tsv': zeekTsvRow,
  ndjson: netflowLine,
};

// ---------------------------------------------------------------------------------------------
// Garbage
// ---------------------------------------------------------------------------------------------

/** Values that have broken readers: extremes, wrong types, unit mistakes, empty and unset markers. */
export const arbNastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(2e154, 1e308, -1, -0.5, 0.5, 1e21, 9_007_199_254_740_993, 65536, 4294967296, 1490024708000, 4102444800, -1e-9, 0),
  fc.constantFrom('1e400', '-1e400', 'NaN', 'Infinity', '', ' ', '-', '(empty)', '9'.repeat(40), '0x10', '1_000', '2200-01-01T00:00:00Z', '0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', 'fe80::1', '10.0.0.256', '\u0000', '\uFFFD'),
  fc.constantFrom(null, true, false, [], {}, [1], { a: 1 }),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** One line of random bytes (decoded as UTF-8, so invalid sequences become U+FFFD). */
export const arbByteLine: fc.Arbitrary<string> = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8').replace(/[\r\n]/g, ' '));

/** One line of random text, or of random JSON. */
export const arbTextLine: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80, unit: 'binary' }).map((s) => s.replace(/[\r\n]/g, ' ')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
);

/** Sets `path` (e.g. `['flow', 'bytes_toserver']`) of a JSON object to `value`, or deletes it (`undefined`). */
function setPath(o: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base = typeof o === 'object' && o !== null && !Array.isArray(o) ? { ...(o as Record<string, unknown>) } : {};
  const [head, ...rest] = path as [string, ...string[]];
  const next = setPath(base[head], rest, value);
  if (next === undefined) delete base[head];
  else base[head] = next;
  return base;
}

/** Every member path of a JSON object, nested objects included. */
function paths(o: unknown, prefix: string[] = []): string[][] {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return [];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
}

/**
 * A valid line of `reader`'s format, mutated: a member (or TSV column) set to a nasty value or
 * removed, a number written out of range in the text, the event time made absurd, the line
 * truncated, or a character inserted.
 * The result may still be valid; it gets id 2,000,000 + n so it never shares an id with the valid lines.
 */
export function arbMutatedLine(reader: ReaderName): fc.Arbitrary<string> {
  return fc
    .tuple(arbFlowSpec, fc.nat({ max: 1_000_000 }), fc.nat(), arbNastyValue, fc.constantFrom('set', 'delete', 'number', 'truncate', 'insert', 'time'), fc.string({ minLength: 1, maxLength: 3 }))
    .map(([spec, n, where, value, how, text]) => {
      const line = LINE_OF[reader]({ ...spec, id: 2_000_000 + n });
      if (how === 'truncate') return line.slice(0, where % (line.length + 1));
      if (how === 'insert') {
        const at = where % (line.length + 1);
        return (line.slice(0, at) + text + line.slice(at)).replace(/[\r\n]/g, ' ');
      }
      if (how === 'number') {
        // a numeric literal replaced by one JSON.parse reads as Infinity, or beyond 2^53
        const numbers = [...line.matchAll(/\d+(?:\.\d+)?/g)];
        if (numbers.length === 0) return line;
        const m = numbers[where % numbers.length]!;
        const big = ['1e400', '1' + '0'.repeat(30), '2e154', '-1'][where % 4]!;
        return line.slice(0, m.index) + big + line.slice(m.index! + m[0].length);
      }
      if (how === 'time') {
        // the event time made absurd but readable: another century, or milliseconds read as seconds
        const iso = ['2200-01-01T00:00:00.000000+0000', '1900-01-01T00:00:00Z', '9999-12-31T23:59:59Z'][where % 3]!;
        const secs = [(spec.startUs / 1000).toFixed(0), '-5', '4102444800', '1e300'][where % 4]!;
        if (reader === 'suricata') return line.replace(/"start":"[^"]*"/, `"start":"${iso}"`);
        if (reader === 'zeek-tsv') return line.replace(/^[^\t]*/, secs);
        if (reader === 'zeek-json') return line.replace(/"ts":[^,]*/, `"ts":${secs}`);
        return line.replace(/"eventtime":[^,}]*/, `"eventtime":${secs}`);
      }
      if (reader === 'zeek-tsv') {
        const cols = line.split('\t');
        const i = where % cols.length;
        if (how === 'delete') cols.splice(i, 1);
        else cols[i] = String(typeof value === 'object' ? JSON.stringify(value) : value).replace(/[\t\r\n]/g, ' ');
        return cols.join('\t');
      }
      const o = JSON.parse(line) as unknown;
      const ps = paths(o);
      const p = ps[where % ps.length]!;
      const mutated = setPath(o, p, how === 'delete' ? undefined : value);
      return JSON.stringify(mutated) ?? 'null';
    });
}

/** Garbage for `reader`: random bytes, random text or JSON, mutated valid records. */
export function arbGarbageLine(reader: ReaderName): fc.Arbitrary<string> {
  const garbage = fc.oneof(arbByteLine, arbTextLine, arbMutatedLine(reader), arbMutatedLine(reader));
  // Zeek TSV header lines are directives that rename the columns of the lines after them, not data:
  // a "garbage" header would legitimately change how later valid rows read, so none is generated.
  return reader === 'zeek-tsv' ? garbage.map((l) => (l.startsWith('#') ? ` ${l}` : l)) : garbage;
}

/** `valid` with `garbage` inserted at the given positions; returns the lines and the indices of the valid ones. */
export function interleave(valid: readonly string[], garbage: readonly [number, string][]): { lines: string[]; validAt: number[] } {
  const lines: string[] = [];
  const validAt: number[] = [];
  const at = new Map<number, string[]>();
  for (const [pos, g] of garbage) {
    const k = pos % (valid.length + 1);
    at.set(k, [...(at.get(k) ?? []), g]);
  }
  for (let i = 0; i <= valid.length; i++) {
    lines.push(...(at.get(i) ?? []));
    if (i < valid.length) {
      validAt.push(lines.length);
      lines.push(valid[i]!);
    }
  }
  return { lines, validAt };
}
