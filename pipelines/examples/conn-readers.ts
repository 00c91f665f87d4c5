// Connection records from two sensors, as Sources: Zeek's conn.log (tab-separated, with a `#fields`
// header) and Suricata's EVE JSON (one event a line; only `event_type: "flow"` events are connections).
// Used by network-talkers.ts. Both are line sources (`lineSource` from watershed/io/text-file): a line
// becomes an element with its event time, is skipped (headers, non-flow events) or is a dead letter
// with its reason, file and line.
import { type Duration } from 'watershed/sdk';
import { lineSource, type LineMapperState, type LineOutcome, type LineSourceOptions } from 'watershed/io/text-file';

/** One connection, whatever the sensor. */
export interface Conn {
  /** When the connection started (epoch ms): the event time. */
  readonly ts: number;
  readonly src: string;
  readonly dst: string;
  readonly dport: number;
  /** Payload bytes both ways (0 when the sensor left them unset). */
  readonly bytes: number;
}

/**
 * Zeek conn.log lines as {@link Conn}s. The column order comes from the file's `#fields` line, so the
 * mapper carries it from line to line: `mapperState` saves it with every checkpoint, and a run resumed
 * in the middle of the file maps its lines as an uninterrupted one (without it, the resumed run would
 * not know the columns).
 */
export function zeekConns(path: string, maxOutOfOrderness: Duration) {
  let fields: string[] = [];
  const mapperState: LineMapperState = {
    snapshot: () => [...fields],
    restore: (state) => {
      if (!Array.isArray(state) || !state.every((f) => typeof f === 'string')) throw new Error(`not a Zeek #fields list: ${JSON.stringify(state)}`);
      fields = state;
    },
  };
  const map = (text: string): LineOutcome<Conn> => {
    if (text.startsWith('#fields\t')) fields = text.split('\t').slice(1);
    if (text.startsWith('#')) return { kind: 'skip', reason: 'header' };
    const cols = text.split('\t');
    const col = (name: string): string | undefined => cols[fields.indexOf(name)];
    const count = (v: string | undefined) => (v === undefined || v === '-' ? 0 : Number(v));
    const ts = Number(col('ts')) * 1000;
    const src = col('id.orig_h');
    const dst = col('id.resp_h');
    if (fields.length === 0) return { kind: 'dead', reason: 'no-header', message: 'a record before the #fields line' };
    if (!Number.isFinite(ts) || src === undefined || dst === undefined) return { kind: 'dead', reason: 'malformed-conn', message: 'no ts, id.orig_h or id.resp_h' };
    const conn: Conn = { ts: Math.round(ts), src, dst, dport: Number(col('id.resp_p')), bytes: count(col('orig_bytes')) + count(col('resp_bytes')) };
    return { kind: 'element', value: conn, timestamp: conn.ts };
  };
  return lineSource('Zeek', path, map, { watermark: { maxOutOfOrderness }, mapperState } satisfies LineSourceOptions);
}

interface EveEvent {
  readonly event_type?: string;
  readonly src_ip?: string;
  readonly dest_ip?: string;
  readonly dest_port?: number;
  readonly flow?: { readonly start?: string; readonly bytes_toserver?: number; readonly bytes_toclient?: number };
}

/** Suricata EVE JSON flow events as {@link Conn}s; the event time is `flow.start` (the top-level `timestamp` is when Suricata logged it). */
export function eveConns(path: string, maxOutOfOrderness: Duration) {
  const map = (text: string): LineOutcome<Conn> => {
    let e: EveEvent;
    try {
      e = JSON.parse(text) as EveEvent;
    } catch (err) {
      return { kind: 'dead', reason: 'malformed-json', message: (err as Error).message };
    }
    if (e.event_type !== 'flow') return { kind: 'skip', reason: 'not-a-flow' };
    const ts = Date.parse(e.flow?.start ?? '');
    if (!Number.isFinite(ts) || e.src_ip === undefined || e.dest_ip === undefined) return { kind: 'dead', reason: 'malformed-flow', message: 'no flow.start, src_ip or dest_ip' };
    const conn: Conn = { ts, src: e.src_ip, dst: e.dest_ip, dport: e.dest_port ?? 0, bytes: (e.flow?.bytes_toserver ?? 0) + (e.flow?.bytes_toclient ?? 0) };
    return { kind: 'element', value: conn, timestamp: ts };
  };
  return lineSource('Eve', path, map, { watermark: { maxOutOfOrderness } });
}
