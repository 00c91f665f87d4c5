import { exactIntegerField } from '../exact-integer-field.js';
import { eventTimeProblem } from '../flow-ranges.js';
import { addressMembers } from './address-members.js';
import { parseIsoMicros } from '../../../transforms/io/iso-timestamp.js';
import { jsonDepthProblem } from '../../../transforms/io/json-depth.js';
import type { ReadResult } from './read-result.js';

/**
 * Maps one line of a Suricata EVE JSON log to a raw Netflow event for `parseFlow`.
 *
 * Only `event_type: "flow"` lines become flows; every other event type (alert, dns, http, ...)
 * comes back as `skipped` / `not-a-flow`. The mapping:
 * - `eventid` ← `flow_id`, as decimal text with all digits (flow ids are 64-bit);
 * - `eventtime` ← `flow.start` in seconds (the top-level `timestamp` is the log-writing time, not
 *   the flow's); `duration` ← `flow.end − flow.start` in seconds, computed in micro-seconds;
 *   a flow without `flow.end` gets duration 0 and `unset_fields: ['duration']`;
 * - `in_bytes` / `in_packets` ← `flow.bytes_toserver` / `flow.pkts_toserver` (source → destination),
 *   `out_bytes` / `out_packets` ← `flow.bytes_toclient` / `flow.pkts_toclient`;
 * - `src_ip` / `dest_ip` → `src_ip4` / `dst_ip4` (uint32) plus dotted `src_ip` / `dst_ip`; IPv6
 *   addresses become `src_ip6` / `dst_ip6`, so `parseFlow` drops them as `ipv6`;
 * - `src_port` / `dest_port` (ICMP: `icmp_type` / `icmp_code`); `proto` → `nproto`;
 *   `dvc_type` is `'suricata'`, `conn_state` ← `flow.state`.
 * A line nesting JSON more than 1000 levels deep is rejected as `too-deep` before it is parsed.
 * A `flow.start` outside 1970..2100 is rejected as `invalid-timestamp` here (it would be the record's
 * event time); counts, ports and the duration are passed on unvalidated and `parseFlow` checks their
 * ranges (e.g. a `bytes_toserver` above 2^53 - 1 is `out-of-range`). Never throws.
 *
 * @example
 * readSuricataEveLine('{"event_type":"dns"}') // { kind: 'skipped', reason: 'not-a-flow', detail: 'event_type dns' }
 * const r = readSuricataEveLine(line);       // { kind: 'flow', raw: { eventid: '1374195536821504', ... } }
 */
export function readSuricataEveLine(line: string): ReadResult {
  if (line.trim() === '') return { kind: 'skipped', reason: 'blank', detail: 'blank line' };
  const deep = jsonDepthProblem(line);
  if (deep !== undefined) return { kind: 'rejected', reason: 'too-deep', detail: deep };
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (e) {
    return { kind: 'rejected', reason: 'malformed-json', detail: (e as Error).message };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { kind: 'rejected', reason: 'malformed-json', detail: 'not a JSON object' };
  }
  const event = parsed as Record<string, unknown>;
  if (event.event_type !== 'flow') {
    return { kind: 'skipped', reason: 'not-a-flow', detail: `event_type ${String(event.event_type)}` };
  }
  const flow = event.flow;
  if (typeof flow !== 'object' || flow === null) {
    return { kind: 'rejected', reason: 'missing-field', detail: 'flow' };
  }
  const f = flow as Record<string, unknown>;
  if (typeof f.start !== 'string') return { kind: 'rejected', reason: 'missing-field', detail: 'flow.start' };
  const start = parseIsoMicros(f.start);
  if (start === undefined) return { kind: 'rejected', reason: 'invalid-timestamp', detail: `flow.start ${f.start}` };
  const outOfRange = eventTimeProblem(start / 1e6, 'flow.start');
  if (outOfRange) return { kind: 'rejected', reason: 'invalid-timestamp', detail: outOfRange.detail };
  let end = start;
  if (f.end !== undefined) {
    const parsedEnd = typeof f.end === 'string' ? parseIsoMicros(f.end) : undefined;
    if (parsedEnd === undefined) return { kind: 'rejected', reason: 'invalid-timestamp', detail: `flow.end ${String(f.end)}` };
    end = parsedEnd;
  }

  const raw: Record<string, unknown> = {
    eventid: flowId(event.flow_id, line),
    ...addressMembers('src', event.src_ip),
    ...addressMembers('dst', event.dest_ip),
    src_port: event.src_port ?? event.icmp_type,
    dst_port: event.dest_port ?? event.icmp_code,
    duration: (end - start) / 1e6,
    in_bytes: f.bytes_toserver,
    in_packets: f.pkts_toserver,
    out_bytes: f.bytes_toclient,
    out_packets: f.pkts_toclient,
    eventtime: start / 1e6,
    nproto: typeof event.proto === 'number' ? String(event.proto) : event.proto,
    dvc_type: 'suricata',
  };
  if (typeof f.state === 'string') raw.conn_state = f.state;
  if (f.end === undefined) raw.unset_fields = ['duration'];
  return { kind: 'flow', raw };
}

/** The flow id as exact decimal text (64-bit ids lose digits as JS numbers). */
function flowId(value: unknown, line: string): unknown {
  if (typeof value !== 'number' || Number.isSafeInteger(value)) return typeof value === 'number' ? String(value) : value;
  return exactIntegerField(line, 'flow_id') ?? value;
}
