/**
 * {@link ZeekLog}: Zeek logs (ASCII with `#` headers, or JSON lines) as bounded inputs of typed records.
 * @module watershed/io/zeek-log
 */
import type { Source } from '../../sdk/io/source.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { Instant } from '../../sdk/time.js';
import { Read } from '../read.js';
import { parseJsonObject } from './exact-json.js';
import { lineSource, type LineOutcome, type LineSourceOptions } from './text-file.js';
import { ZEEK_CONN_TYPES, type ZeekConn } from './zeek-conn.js';
import { ZeekHeader } from './zeek-header.js';
import { callTimestamp, threw } from './user-code-error.js';
import { isPortNumber, secondsToMillis, zeekValue, type ZeekValue, type ZeekValueResult } from './zeek-value.js';
export { ZEEK_CONN_TYPES, type ZeekConn } from './zeek-conn.js';
export type { ZeekValue } from './zeek-value.js';

/** A Zeek log record: column name → typed value (an unset column is absent). */
export type ZeekRecord = Readonly<Record<string, ZeekValue | undefined>>;

/** How {@link ZeekLog} reads a log. Watermark, invalid UTF-8 and stats as for any line source (`TextFile`). */
export interface ZeekLogOptions<T> extends Omit<LineSourceOptions, 'mapperState'> {
  /**
   * The event time of a record (default: its `ts`, in whole ms). Returning `undefined`, NaN or a time
   * beyond the instant range makes the line a dead letter (`invalid-timestamp`), never the minimum time;
   * throwing makes it one too (`timestamp-error`).
   */
  readonly timestamp?: (record: T, line: number) => Instant | undefined;
  /**
   * The Zeek types the records' columns must have. JSON lines (Zeek's `LogAscii::use_json`, no `#types`
   * line): the members converted as in an ASCII log (`time` / `interval` seconds → ms, ISO `time` text → ms,
   * integer and `bool` members checked). ASCII lines: the types of these columns when there is no `#types`
   * line; under a `#types` line that gives one of them another type (`ts` as `double`, whose seconds
   * would be read as ms), every data line is a `malformed-header` dead letter naming the column. Default
   * `{ ts: 'time' }`; `ZeekLog.conn` passes {@link ZEEK_CONN_TYPES}.
   */
  readonly jsonTypes?: Readonly<Record<string, string>>;
}

/**
 * Zeek logs as bounded inputs, one typed record per data line, in file order.
 *
 * ASCII logs: the header lines (`#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`,
 * `#open`, `#fields`, `#types`, `#close`) are read as they come, so a file of several header blocks
 * (rotated logs concatenated) is read block by block; each data line becomes a record whose members
 * are typed by `#types` (`time` and `interval` → ms, `count` / `int` / `port` /
 * `double` → number, `bool` → boolean, `set[..]` / `vector[..]` → arrays (`(empty)` → `[]`), the rest →
 * string; an unset `-` leaves the member out). Without a `#types` line the columns are typed by
 * `jsonTypes` (`ts` a `time`; conn.log's counts and ports for `ZeekLog.conn`), the others strings. Lines starting with `{` are JSON records (Zeek's JSON logs), typed by `jsonTypes`.
 *
 * The header state is saved with every checkpoint (the line source's mapper state), so a run resumed
 * in the middle of a file reads its lines as an uninterrupted run would.
 *
 * Dead letters (the read goes on; the origin names file and line; the watermark does not move):
 * `missing-header` (a data line before any `#fields`), `malformed-line` (more or fewer columns than
 * `#fields`), `malformed-header` (`#types` and `#fields` of different lengths, `#fields` naming a
 * column twice, or `#types` typing a column otherwise than `jsonTypes` does), `malformed-value` (a value that does not fit its type, e.g. a `time` of `yesterday`,
 * a `port` beyond 0..65535), `unsafe-integer` (a count beyond
 * 2^53 − 1: refused rather than rounded to another number; a bigint would not survive
 * `JSON.stringify` or arithmetic with numbers, and such counts do not occur in real logs, so the line
 * is kept whole in the dead letters instead), `malformed-json`, `invalid-timestamp` (no `ts`, or the
 * `timestamp` option gave none), `timestamp-error` (the `timestamp` option threw), `too-deep` (JSON nested past
 * 1000 levels), `invalid-utf8`, `line-too-long`. Header and blank lines are counted as skipped
 * (`stats.skipped.header`, `.blank`).
 *
 * @example
 * p.apply('Conns', ZeekLog.conn('conn.log', { watermark: { maxOutOfOrderness: seconds(30) } }))
 *  .apply('Bytes', MapElements((c: ZeekConn) => (c.orig_bytes ?? 0) + (c.resp_bytes ?? 0)));
 * p.apply('Dns', ZeekLog.read<{ ts: number; query?: string }>('dns.log'));
 */
export const ZeekLog = {
  /**
   * Any Zeek log at `path`, its records typed `T` (not checked beyond the Zeek types: name the type
   * of the log you read; default {@link ZeekRecord}). A missing file fails the run with a SourceError.
   */
  read<T = ZeekRecord>(path: string, options: ZeekLogOptions<T> = {}): PTransform<Pipeline, PCollection<T>> {
    return Read(zeekLogSource<T>(path, options));
  },

  /** Zeek's conn.log (ASCII or JSON) at `path` as {@link ZeekConn} records; JSON members typed by {@link ZEEK_CONN_TYPES}. */
  conn(path: string, options: ZeekLogOptions<ZeekConn> = {}): PTransform<Pipeline, PCollection<ZeekConn>> {
    return ZeekLog.read<ZeekConn>(path, { jsonTypes: ZEEK_CONN_TYPES, ...options });
  },
};

/** The Source behind {@link ZeekLog.read}: a line source with a fresh header at every open (restored from the position when resuming). */
function zeekLogSource<T>(path: string, options: ZeekLogOptions<T>): Source<T> {
  const name = `ZeekLog(${path})`;
  const open = (): Source<T> => {
    const header = new ZeekHeader();
    return lineSource(name, path, zeekLineMapper<T>(header, options), { ...options, mapperState: header });
  };
  const checked = open(); // options are checked here, when the pipeline is built
  return { name: checked.name, bounded: true, open: (ctx) => open().open(ctx) };
}

/** Maps the lines of one read of a Zeek log, in order, keeping its header in `header`. */
function zeekLineMapper<T>(header: ZeekHeader, options: ZeekLogOptions<T>): (text: string, line: number) => LineOutcome<T> {
  const jsonTypes = options.jsonTypes ?? { ts: 'time' };
  const eventTime = options.timestamp ?? ((r: T) => defaultEventTime(r as ZeekRecord));
  // The header's clash with `jsonTypes`, found once per `#types` line (a header read again makes a new array).
  let checkedTypes: readonly string[] | undefined;
  let clash: string | undefined;
  const typeClash = (fields: readonly string[], types: readonly string[]): string | undefined => {
    if (types !== checkedTypes) {
      checkedTypes = types;
      const i = fields.findIndex((name, i) => Object.hasOwn(jsonTypes, name) && jsonTypes[name] !== types[i]);
      clash = i < 0 ? undefined : `#types gives column ${JSON.stringify(fields[i]!.slice(0, 60))} the type ${JSON.stringify(types[i]!.slice(0, 60))}, not ${jsonTypes[fields[i]!]}`;
    }
    return clash;
  };
  return (raw, line) => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return { kind: 'skip', reason: 'blank' };
    if (text.startsWith('#')) {
      header.read(text);
      return { kind: 'skip', reason: 'header' };
    }
    const read = text.trimStart().startsWith('{') ? jsonRecord(text, jsonTypes) : asciiRecord(text, header, jsonTypes, typeClash);
    if (read.kind !== 'element') return read;
    const record = read.value as T;
    const timestamp = callTimestamp(eventTime, record, line);
    if (threw(timestamp)) return { kind: 'dead', reason: timestamp.reason, message: timestamp.message };
    if (timestamp === undefined) return { kind: 'dead', reason: 'invalid-timestamp', message: options.timestamp ? 'the timestamp option gave no event time' : 'the record has no ts' };
    return { kind: 'element', value: record, timestamp };
  };
}

/** `ts` in whole ms, or undefined when it is not a number. */
function defaultEventTime(record: ZeekRecord): Instant | undefined {
  return typeof record.ts === 'number' ? Math.floor(record.ts) : undefined;
}

/**
 * A data line of an ASCII log as a record typed by `#types`, or, without a `#types` line, by `columnTypes`
 * (the rest strings). `typeClash` tells why `#types` gives a column of `columnTypes` another type (the line is then a dead letter).
 */
function asciiRecord(text: string, header: ZeekHeader, columnTypes: Readonly<Record<string, string>>, typeClash: (fields: readonly string[], types: readonly string[]) => string | undefined): LineOutcome<ZeekRecord> {
  const { fields, types } = header;
  if (fields === undefined) return { kind: 'dead', reason: 'missing-header', message: 'a data line before any #fields header' };
  if (types !== undefined && types.length !== fields.length) {
    return { kind: 'dead', reason: 'malformed-header', message: `#types names ${types.length} types for the ${fields.length} #fields` };
  }
  // E.g. `ts` as `double`: its seconds would be taken for ms; conn.log's `orig_bytes` as `string`: text where a number is promised.
  const clash = types === undefined ? undefined : typeClash(fields, types);
  if (clash !== undefined) return { kind: 'dead', reason: 'malformed-header', message: clash };
  const twice = header.duplicateField();
  if (twice !== undefined) return { kind: 'dead', reason: 'malformed-header', message: `#fields names the column ${JSON.stringify(twice.slice(0, 60))} twice` };
  const values = text.split(header.separator);
  if (values.length !== fields.length) return { kind: 'dead', reason: 'malformed-line', message: `${values.length} columns where #fields names ${fields.length}` };
  const record: Record<string, ZeekValue> = {};
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i]!;
    const r = zeekValue(values[i]!, types?.[i] ?? (Object.hasOwn(columnTypes, name) ? columnTypes[name]! : 'string'), header);
    if (!r.ok) return { kind: 'dead', reason: r.reason, message: `column ${name}: ${r.message}` };
    // defineProperty, not `record[name] =`: a `__proto__` column must be an own member, not the record's prototype.
    if (r.value !== undefined) Object.defineProperty(record, name, { value: r.value, enumerable: true, writable: true, configurable: true });
  }
  return { kind: 'element', value: record };
}

function jsonRecord(text: string, jsonTypes: Readonly<Record<string, string>>): LineOutcome<ZeekRecord> {
  const parsed = parseJsonObject(text);
  if (!parsed.ok) return { kind: 'dead', reason: parsed.reason, message: parsed.message };
  const record = parsed.value;
  for (const [name, type] of Object.entries(jsonTypes)) {
    const value = record[name];
    if (value === undefined || value === null) {
      delete record[name];
      continue;
    }
    const r = jsonValue(value, type);
    if (!r.ok) return { kind: 'dead', reason: r.reason, message: `member ${name}: ${r.message}` };
    record[name] = r.value;
  }
  return { kind: 'element', value: record as ZeekRecord };
}

/** A JSON member typed as an ASCII column of Zeek type `type` would be. */
function jsonValue(value: unknown, type: string): ZeekValueResult {
  const bad = (): ZeekValueResult => ({ ok: false, reason: 'malformed-value', message: `${String(JSON.stringify(value)).slice(0, 60)} is not a Zeek ${type}` });
  switch (type) {
    case 'time':
    case 'interval':
      if (type === 'time' && typeof value === 'string') return zeekValue(value, 'time', new ZeekHeader());
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad();
      return { ok: true, value: secondsToMillis(String(value)) ?? value * 1000 };
    case 'port':
      return isPortNumber(value) ? { ok: true, value } : bad();
    case 'count':
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && (type === 'int' || value >= 0) ? { ok: true, value } : bad();
    case 'double':
      return typeof value === 'number' ? { ok: true, value } : bad();
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : bad();
    default:
      return /^(?:set|vector)\[/.test(type) && !Array.isArray(value) ? bad() : { ok: true, value: value as ZeekValue };
  }
}
