import { UNSETTABLE_FIELDS, type UnsettableField } from '../flow-record.js';
import { eventTimeProblem } from '../flow-ranges.js';
import { readNumericMember } from '../parse-flow.js';
import { addressMembers } from './address-members.js';
import { parseIsoSeconds } from '../../../transforms/io/iso-timestamp.js';
import type { ReadResult } from './read-result.js';
import { ZeekHeader } from '../../../transforms/io/zeek-header.js';
import { jsonDepthProblem } from '../../../transforms/io/json-depth.js';

/** How {@link ZeekConnParser} maps Zeek conn.log records. */
export interface ZeekConnOptions {
  /**
   * Unset measurements (`-` in TSV, a missing member in JSON; Zeek leaves duration and byte
   * counts unset for connections it saw only one packet of). `'zero'` (the default) fills 0 and
   * lists the FlowRecord names in `unset_fields`, so the record keeps its place in its window and
   * callers can still tell it apart; `'reject'` rejects the line as `missing-field`.
   */
  readonly unset?: 'zero' | 'reject';
  /**
   * Which byte counts feed `in_bytes` / `out_bytes`: `'payload'` (the default: `orig_bytes` /
   * `resp_bytes`, transport payload bytes) or `'ip'` (`orig_ip_bytes` / `resp_ip_bytes`, whole IP
   * packets, closer to what NetFlow and Suricata count, and never unset).
   */
  readonly bytes?: 'payload' | 'ip';
}

/** The header state of a {@link ZeekConnParser} (what `#separator`, `#empty_field`, `#unset_field` and `#fields` set). */
export interface ZeekConnHeaderState {
  readonly separator: string;
  readonly emptyField: string;
  readonly unsetField: string;
  /** Absent before a `#fields` line. */
  readonly columns?: readonly string[];
}

/** Zeek conn.log column → FlowRecord measurement, for the chosen byte counts. */
const MEASUREMENTS = {
  payload: { duration: 'duration', in_bytes: 'orig_bytes', in_packets: 'orig_pkts', out_bytes: 'resp_bytes', out_packets: 'resp_pkts' },
  ip: { duration: 'duration', in_bytes: 'orig_ip_bytes', in_packets: 'orig_pkts', out_bytes: 'resp_ip_bytes', out_packets: 'resp_pkts' },
} as const satisfies Record<string, Record<UnsettableField, string>>;

/**
 * A line-at-a-time reader of Zeek conn.log in either of Zeek's formats:
 * - tab-separated ASCII with `#separator` (e.g. `#separator \x09`), `#set_separator`,
 *   `#empty_field`, `#unset_field`, `#fields`, `#types`, `#open` / `#close` header lines (stateful:
 *   the latest `#fields` line names the columns of the data lines after it);
 * - JSON, one record a line (lines starting with `{`; no header needed).
 *
 * Mapping (the originator is the source, so `in_*` is originator → responder, the same direction
 * as Suricata's "toserver"):
 * `uid` → `eventid`; `ts` (epoch seconds, or ISO text) → `eventtime`; `id.orig_h` / `id.resp_h` →
 * `src_ip4` / `dst_ip4` (IPv6 → `src_ip6` / `dst_ip6`, which `parseFlow` drops); `id.orig_p` /
 * `id.resp_p` → ports (Zeek puts ICMP type / code there); `duration`; `orig_bytes` → `in_bytes`,
 * `resp_bytes` → `out_bytes` (or the IP byte counts, see {@link ZeekConnOptions.bytes});
 * `orig_pkts` → `in_packets`, `resp_pkts` → `out_packets`; `proto` upper-cased → `nproto`
 * (`'TCP'`, like Suricata); `dvc_type` is `'zeek'`; `conn_state`, `label` and `detailedlabel`
 * ride along. Values stay as read (TSV numbers are strings); `parseFlow` validates them, except `ts`:
 * a record without one is rejected as `missing-field`, one that is not a number or ISO time, or lies
 * outside 1970..2100, as `invalid-timestamp` (it would be the record's event time).
 *
 * Header lines come back `skipped` / `header`, blank lines `skipped` / `blank`; the data lines under a
 * `#fields` naming a column twice are `rejected` / `malformed-header`. Never throws.
 *
 * @example
 * const parser = new ZeekConnParser();
 * parser.read('#separator \\x09');
 * parser.read('#fields\tts\tuid\tid.orig_h\t...');
 * const r = parser.read('1655071209.953394\tCvIOrb4ekWKPrnpqsf\t167.94.138.99\t...');
 * // { kind: 'flow', raw: { eventid: 'CvIOrb4ekWKPrnpqsf', eventtime: '1655071209.953394', ... } }
 */
export class ZeekConnParser {
  /** The header lines are read by the public Zeek log reader's {@link ZeekHeader}. */
  private readonly headerState = new ZeekHeader();
  private readonly unsetPolicy: 'zero' | 'reject';
  private readonly measurements: Record<UnsettableField, string>;

  constructor(options: ZeekConnOptions = {}) {
    this.unsetPolicy = options.unset ?? 'zero';
    this.measurements = MEASUREMENTS[options.bytes ?? 'payload'];
  }

  /** The column names of the latest `#fields` header, or `undefined` before one was read. */
  get fields(): readonly string[] | undefined {
    return this.headerState.fields;
  }

  /**
   * The header state read so far (separator, empty and unset markers, `#fields` columns), as plain
   * data for a checkpoint: a parser given it by {@link restore} reads the following lines as this one would.
   */
  snapshot(): ZeekConnHeaderState {
    const h = this.headerState;
    const s = { separator: h.separator, emptyField: h.emptyField, unsetField: h.unsetField };
    return h.fields === undefined ? s : { ...s, columns: [...h.fields] };
  }

  /**
   * Takes over header state from {@link snapshot} (of a parser in an earlier run).
   * @throws RangeError when `state` is not a snapshot.
   */
  restore(state: unknown): void {
    const s = state as Partial<ZeekConnHeaderState> | null;
    const ok =
      typeof s === 'object' &&
      s !== null &&
      typeof s.separator === 'string' &&
      typeof s.emptyField === 'string' &&
      typeof s.unsetField === 'string' &&
      (s.columns === undefined || (Array.isArray(s.columns) && s.columns.every((c) => typeof c === 'string')));
    if (!ok) throw new RangeError(`not a Zeek conn.log header state: ${JSON.stringify(state)?.slice(0, 200)}`);
    const h = this.headerState;
    h.separator = s.separator!;
    h.emptyField = s.emptyField!;
    h.unsetField = s.unsetField!;
    h.fields = s.columns === undefined ? undefined : [...s.columns];
  }

  /** Reads one line (without its line terminator; a trailing `\r` is ignored). */
  read(line: string): ReadResult {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') return { kind: 'skipped', reason: 'blank', detail: 'blank line' };
    if (text.startsWith('#')) return this.header(text);
    if (text.trimStart().startsWith('{')) return this.jsonRecord(text);
    return this.tsvRecord(text);
  }

  private header(text: string): ReadResult {
    return { kind: 'skipped', reason: 'header', detail: this.headerState.read(text) };
  }

  private jsonRecord(text: string): ReadResult {
    const deep = jsonDepthProblem(text);
    if (deep !== undefined) return { kind: 'rejected', reason: 'too-deep', detail: deep };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return { kind: 'rejected', reason: 'malformed-json', detail: (e as Error).message };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { kind: 'rejected', reason: 'malformed-json', detail: 'not a JSON object' };
    }
    const record = parsed as Record<string, unknown>;
    return this.map((name) => record[name] ?? undefined);
  }

  private tsvRecord(text: string): ReadResult {
    const { fields: columns, separator, unsetField, emptyField } = this.headerState;
    if (columns === undefined) return { kind: 'rejected', reason: 'missing-header', detail: 'data line before #fields' };
    const twice = this.headerState.duplicateField();
    if (twice !== undefined) return { kind: 'rejected', reason: 'malformed-header', detail: `#fields names the column ${JSON.stringify(twice.slice(0, 60))} twice` };
    const values = text.split(separator);
    if (values.length !== columns.length) {
      return { kind: 'rejected', reason: 'malformed-line', detail: `${values.length} columns, #fields names ${columns.length}` };
    }
    const byName = new Map<string, string | undefined>();
    columns.forEach((name, i) => {
      const v = values[i];
      byName.set(name, v === unsetField ? undefined : v === emptyField ? '' : v);
    });
    return this.map((name) => byName.get(name));
  }

  private map(get: (column: string) => unknown): ReadResult {
    let eventtime = get('ts');
    if (eventtime === undefined || eventtime === null || eventtime === '') return { kind: 'rejected', reason: 'missing-field', detail: 'ts' };
    if (typeof eventtime === 'string' && eventtime.includes('-') && eventtime.includes(':')) {
      const seconds = parseIsoSeconds(eventtime);
      if (seconds === undefined) return { kind: 'rejected', reason: 'invalid-timestamp', detail: `ts ${eventtime}` };
      eventtime = seconds;
    }
    const seconds = readNumericMember({ ts: eventtime }, 'ts');
    if (!seconds.ok) return { kind: 'rejected', reason: 'invalid-timestamp', detail: seconds.detail };
    const outOfRange = eventTimeProblem(seconds.value, 'ts');
    if (outOfRange) return { kind: 'rejected', reason: 'invalid-timestamp', detail: outOfRange.detail };
    const measured: Record<string, unknown> = {};
    const unset: UnsettableField[] = [];
    for (const field of UNSETTABLE_FIELDS) {
      const value = get(this.measurements[field]);
      if (value === undefined) unset.push(field);
      measured[field] = value ?? 0;
    }
    if (unset.length > 0 && this.unsetPolicy === 'reject') {
      return { kind: 'rejected', reason: 'missing-field', detail: `unset: ${unset.map((f) => this.measurements[f]).join(', ')}` };
    }
    const proto = get('proto');
    const raw: Record<string, unknown> = {
      eventid: get('uid'),
      ...addressMembers('src', get('id.orig_h')),
      ...addressMembers('dst', get('id.resp_h')),
      src_port: get('id.orig_p'),
      dst_port: get('id.resp_p'),
      ...measured,
      eventtime,
      nproto: typeof proto === 'string' ? proto.toUpperCase() : proto,
      dvc_type: 'zeek',
    };
    for (const extra of ['conn_state', 'label', 'detailedlabel']) {
      const v = get(extra);
      if (v !== undefined) raw[extra] = v;
    }
    if (unset.length > 0) raw.unset_fields = unset;
    return { kind: 'flow', raw };
  }
}
