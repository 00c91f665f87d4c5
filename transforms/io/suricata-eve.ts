/**
 * {@link SuricataEve}: Suricata's EVE JSON log as a bounded input of events.
 * @module watershed/io/suricata-eve
 */
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { Instant } from '../../sdk/time.js';
import { Read } from '../read.js';
import { parseJsonObject } from './exact-json.js';
import { parseIsoMicros } from './iso-timestamp.js';
import { eveMemberProblem } from './suricata-eve-members.js';
import { lineSource, type LineOutcome, type LineSourceOptions } from './text-file.js';
import { callTimestamp, threw } from './user-code-error.js';

/** A Suricata EVE event: the members every event type has, and the `flow` of a `flow` event. Other members as written. */
export interface SuricataEveEvent {
  /** When Suricata wrote the event, ISO-8601 with its offset, e.g. `2021-06-06T15:59:46.457984+0200`. The default event time. */
  readonly timestamp: string;
  /** `flow`, `alert`, `dns`, `http`, `tls`, `stats`, ... */
  readonly event_type: string;
  /** The flow's id (shared by all events of one flow). */
  readonly flow_id?: number;
  readonly src_ip?: string;
  readonly src_port?: number;
  readonly dest_ip?: string;
  readonly dest_port?: number;
  readonly proto?: string;
  readonly flow?: SuricataEveFlow;
  readonly [member: string]: unknown;
}

/** The `flow` member of a `flow` event. */
export interface SuricataEveFlow {
  readonly pkts_toserver?: number;
  readonly pkts_toclient?: number;
  readonly bytes_toserver?: number;
  readonly bytes_toclient?: number;
  /** When the flow started (ISO-8601 with offset; {@link eveTime} reads it). */
  readonly start?: string;
  readonly end?: string;
  readonly age?: number;
  readonly state?: string;
  readonly reason?: string;
  readonly alerted?: boolean;
  readonly [member: string]: unknown;
}

/** How {@link SuricataEve} reads a log. Watermark, invalid UTF-8 and stats as for any line source (`TextFile`). */
export interface SuricataEveOptions<T> extends Omit<LineSourceOptions, 'mapperState'> {
  /**
   * The event types to read (default: all); events of other types are skipped, counted in `stats.skipped`
   * as `event_type <type>` for the first 64 types met (names up to 100 characters), the others together
   * as `event_type (other)`, so the counts stay small whatever types a log holds.
   */
  readonly eventTypes?: readonly string[];
  /**
   * The event time of an event (default: its `timestamp`, read by {@link eveTime}). Returning
   * `undefined` or NaN makes the line a dead letter (`invalid-timestamp`), throwing too (`timestamp-error`).
   * @example { timestamp: (e) => eveTime(e.flow?.start) } // when the flow started rather than when it was logged
   */
  readonly timestamp?: (event: T, line: number) => Instant | undefined;
}

/**
 * Suricata EVE JSON logs (one event a line) as bounded inputs, in file order. Event time: the event's
 * `timestamp` (ms, its offset applied), or the `timestamp` option's.
 *
 * Dead letters (the read goes on; the origin names file and line; the watermark does not move):
 * `malformed-json` (not a JSON object), `malformed-event` (no `event_type` text, or a member that
 * {@link SuricataEveEvent} types written with another type, e.g. `"bytes_toserver": "4056"` or a port of
 * 70000: text where a number is promised would concatenate in a sum), `unsafe-integer`
 * (an integer beyond 2^53 − 1, which a number would round), `invalid-timestamp` (`timestamp` missing
 * or not ISO-8601, or the option gave none), `timestamp-error` (the `timestamp` option threw), `invalid-utf8`, `too-deep`, `line-too-long`. Blank lines and events not in
 * `eventTypes` are skipped and counted (`stats.skipped`; per type for 64 types at most), not dead letters.
 *
 * @example
 * p.apply('Flows', SuricataEve.read('eve.json', { eventTypes: ['flow'], watermark: { maxOutOfOrderness: seconds(30) } }))
 *  .apply('Bytes', MapElements((e: SuricataEveEvent) => (e.flow?.bytes_toserver ?? 0) + (e.flow?.bytes_toclient ?? 0)));
 */
/** Skipped event types counted under their own name, at most; the others share {@link OTHER_TYPES}. */
const MAX_COUNTED_TYPES = 64;
/** The longest event type name counted under its own name. */
const MAX_TYPE_NAME = 100;
const OTHER_TYPES = 'event_type (other)';

export const SuricataEve = {
  /** The EVE log at `path`, events typed `T` (not checked beyond the above). A missing file fails the run with a SourceError. */
  read<T extends { readonly event_type: string } = SuricataEveEvent>(path: string, options: SuricataEveOptions<T> = {}): PTransform<Pipeline, PCollection<T>> {
    const wanted = options.eventTypes === undefined ? undefined : new Set(options.eventTypes);
    const eventTime = options.timestamp ?? ((e: T) => eveTime((e as unknown as { timestamp?: unknown }).timestamp));
    // The skip reasons are stats keys: a log with ever new event types (attacker-chosen text) must not grow them without bound.
    const countedTypes = new Set<string>();
    const skipReason = (type: string): string => {
      if (countedTypes.has(type)) return `event_type ${type}`;
      if (countedTypes.size >= MAX_COUNTED_TYPES || type.length > MAX_TYPE_NAME) return OTHER_TYPES;
      countedTypes.add(type);
      return `event_type ${type}`;
    };
    const map = (text: string, line: number): LineOutcome<T> => {
      if (text.trim() === '') return { kind: 'skip', reason: 'blank' };
      const parsed = parseJsonObject(text);
      if (!parsed.ok) return { kind: 'dead', reason: parsed.reason, message: parsed.message };
      const type = parsed.value.event_type;
      if (typeof type !== 'string') return { kind: 'dead', reason: 'malformed-event', message: `event_type is ${String(JSON.stringify(type) ?? 'missing').slice(0, 60)}, not text` };
      if (wanted !== undefined && !wanted.has(type)) return { kind: 'skip', reason: skipReason(type) };
      const problem = eveMemberProblem(parsed.value);
      if (problem !== undefined) return { kind: 'dead', reason: 'malformed-event', message: problem };
      const event = parsed.value as unknown as T;
      const timestamp = callTimestamp(eventTime, event, line);
      if (threw(timestamp)) return { kind: 'dead', reason: timestamp.reason, message: timestamp.message };
      if (timestamp === undefined) {
        const written = parsed.value.timestamp;
        const message = options.timestamp ? 'the timestamp option gave no event time' : written === undefined ? 'the event has no timestamp' : `timestamp ${JSON.stringify(written).slice(0, 60)} is not an ISO-8601 time`;
        return { kind: 'dead', reason: 'invalid-timestamp', message };
      }
      return { kind: 'element', value: event, timestamp };
    };
    return Read(lineSource(`SuricataEve(${path})`, path, map, options));
  },
};

/**
 * An EVE time (`2021-06-06T15:59:46.457984+0200`: ISO-8601, offset `Z`, `+HH`, `+HHMM` or `+HH:MM`)
 * in whole ms since the epoch (the micro-seconds truncated), or `undefined` for anything else.
 * @example eveTime('2021-06-06T15:59:46.457984+0200') // 1622987986457
 */
export function eveTime(text: unknown): Instant | undefined {
  if (typeof text !== 'string') return undefined;
  const micros = parseIsoMicros(text);
  return micros === undefined ? undefined : Math.floor(micros / 1000);
}
