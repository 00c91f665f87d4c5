// Connection records from two sensors: Zeek's conn.log (`ZeekLog.conn` from watershed/io/zeek-log, ASCII
// with its `#` header or JSON lines) and Suricata's EVE JSON (`SuricataEve.read` from
// watershed/io/suricata-eve, only `event_type: "flow"` events are connections), each mapped onto one
// `Conn`. Used by network-talkers.ts. The readers give typed records with their event time, skip
// headers and other event types, and send unreadable lines to their step's dead letters with reason,
// file and line; the Zeek reader carries the log's header through checkpoints. `connDeserializer` reads
// a Kafka topic of Conns (as `--copyTo` writes them), a record that is not one a dead letter.
import { type Duration, type PCollection, type DeadLetter, type Pipeline } from 'watershed/sdk';
import { MapElements } from 'watershed/transforms';
import { ZeekLog, type ZeekConn } from 'watershed/io/zeek-log';
import { eveTime, SuricataEve, type SuricataEveEvent } from 'watershed/io/suricata-eve';
import { DeserializationError, Serde, type Deserializer } from 'watershed/io/kafka';

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

/** Connections read by step `step`, and that step's dead letters (lines that could not be read). */
export interface ConnInput {
  readonly conns: PCollection<Conn>;
  readonly deadLetters: PCollection<DeadLetter>;
}

/** A Zeek conn.log record as a {@link Conn}. */
export function connOfZeek(c: ZeekConn): Conn {
  return { ts: Math.round(c.ts), src: c['id.orig_h'], dst: c['id.resp_h'], dport: c['id.resp_p'], bytes: (c.orig_bytes ?? 0) + (c.resp_bytes ?? 0) };
}

/** A Suricata EVE flow event as a {@link Conn}; `ts` is when the flow started (`flow.start`). */
export function connOfEve(e: SuricataEveEvent): Conn {
  return { ts: eveTime(e.flow?.start) ?? NaN, src: e.src_ip ?? '', dst: e.dest_ip ?? '', dport: e.dest_port ?? 0, bytes: (e.flow?.bytes_toserver ?? 0) + (e.flow?.bytes_toclient ?? 0) };
}

/** Zeek conn.log lines as {@link Conn}s, read by step `step`; event time `ts` (whole ms, rounded). */
export function zeekConns(p: Pipeline, step: string, path: string, maxOutOfOrderness: Duration): ConnInput {
  const read = p.apply(step, ZeekLog.conn(path, { watermark: { maxOutOfOrderness }, timestamp: (c) => Math.round(c.ts) }));
  return { conns: read.apply(`${step}AsConn`, MapElements(connOfZeek)), deadLetters: read.deadLetters() };
}

/**
 * Suricata EVE JSON flow events as {@link Conn}s, read by step `step`; the event time is `flow.start`
 * (the top-level `timestamp` is when Suricata logged the flow): a flow without a readable start is a dead letter.
 */
export function eveConns(p: Pipeline, step: string, path: string, maxOutOfOrderness: Duration): ConnInput {
  const read = p.apply(step, SuricataEve.read(path, { eventTypes: ['flow'], watermark: { maxOutOfOrderness }, timestamp: (e) => eveTime(e.flow?.start) }));
  return { conns: read.apply(`${step}AsConn`, MapElements(connOfEve)), deadLetters: read.deadLetters() };
}

/**
 * A Kafka record's value as a {@link Conn} (JSON, as `--copyTo` writes it). A record that is not one (a
 * member missing or of another type: `"bytes": "12"` would make a session's bytes the text `"012"`) is
 * a dead letter of the read step, reason `malformed-conn`, with its topic, partition and offset; bad JSON
 * is `malformed-json`.
 * @example KafkaIO.read<Conn>({ ..., deserializer: connDeserializer })
 */
export const connDeserializer: Deserializer<Conn> = (bytes, record) => {
  const c = Serde.json<Record<string, unknown> | null>()(bytes, record);
  const problem = connProblem(c);
  if (problem !== undefined) throw new DeserializationError('malformed-conn', `not a connection: ${problem}`);
  return c as unknown as Conn;
};

/** Why `c` is not a {@link Conn}, or undefined. */
function connProblem(c: Record<string, unknown> | null): string | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return `${String(JSON.stringify(c)).slice(0, 60)} is not an object`;
  const checks: [string, (v: unknown) => boolean, string][] = [
    ['ts', (v) => typeof v === 'number' && Number.isFinite(v), 'a number'],
    ['src', (v) => typeof v === 'string', 'text'],
    ['dst', (v) => typeof v === 'string', 'text'],
    ['dport', (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535, 'a port'],
    ['bytes', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, 'a byte count'],
  ];
  for (const [name, ok, what] of checks) if (!ok(c[name])) return `${name} is ${String(JSON.stringify(c[name]) ?? 'missing').slice(0, 60)}, not ${what}`;
  return undefined;
}
