import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { lineSource, type LineOutcome, type LineSourceOptions } from '../../../transforms/io/text-file.js';
import type { Instant } from '../../../sdk/time.js';
import { Read } from '../../../transforms/read.js';
import { eventTimeMillis } from '../flow-record.js';
import { eventTimeProblem } from '../flow-ranges.js';
import { readNumericMember } from '../parse-flow.js';
import type { ReadResult } from '../readers/read-result.js';
import { readSuricataEveLine } from '../readers/suricata-eve.js';
import { ZeekConnParser, type ZeekConnOptions } from '../readers/zeek-conn.js';
import type { SourcedLine } from '../sourced-line.js';
import { acceptedEventTime } from '../netflow-event-time.js';

/**
 * Sensor logs and Netflow NDJSON files as bounded sources of raw Netflow JSON lines, the Netflow
 * job's input. Each line is a {@link SourcedLine}: the text and its origin `{ file, line }`, so that
 * what the job rejects or drops as late can be traced to its line. The sensor-log readers map each
 * flow line onto the Netflow event's members and write it as JSON (validation is left to the job's
 * Parse step, which counts rejects per reason). Lines that are not flows (other EVE event types, Zeek
 * headers, blank lines) are counted in `stats.skipped` by reason; lines that should be flows but
 * cannot be read go to the Read step's dead-letter output with the reader's reason and origin
 * `{ file, line }`, and are counted in `stats.deadLettered`.
 *
 * Each line's timestamp is its event time (the same rule for every format, so the same events get
 * the same late or on-time verdicts from each). The watermark stays at the minimum until the whole
 * file is read (default), because sensor logs are not in event-time order (the Suricata sample is
 * shuffled; Zeek writes connections when they end); pass `watermark: { maxOutOfOrderness }` to let
 * windows fire while reading, at the price of dropping records further out of order as late.
 */
export const SensorLog = {
  /** Suricata EVE JSON (`event_type: "flow"` lines). */
  suricataEve(path: string, options: LineSourceOptions = {}): PTransform<Pipeline, PCollection<SourcedLine>> {
    return Read(lineSource(`SuricataEve(${path})`, path, (text, line) => toNetflowLine(readSuricataEveLine(text), path, line), options));
  },

  /** Zeek conn.log, tab-separated with headers or JSON lines. */
  zeekConn(path: string, options: LineSourceOptions & ZeekConnOptions = {}): PTransform<Pipeline, PCollection<SourcedLine>> {
    return {
      name: `Read(ZeekConn(${path}))`,
      expand: (p, ctx) => {
        // A fresh parser per run: the tab-separated format is stateful (#fields header). A resumed
        // run gets the header state saved with the position instead of re-reading the header.
        let parser = new ZeekConnParser(options);
        const mapperState = {
          snapshot: () => parser.snapshot(),
          restore: (state: unknown) => {
            parser = new ZeekConnParser(options);
            parser.restore(state);
          },
        };
        const source = lineSource(`ZeekConn(${path})`, path, (text, line) => {
          if (line === 1) parser = new ZeekConnParser(options);
          return toNetflowLine(parser.read(text), path, line);
        }, { ...options, mapperState });
        return Read(source).expand(p, ctx);
      },
    };
  },

  /**
   * Raw Netflow JSON events, one per line (the generator's and the seed's format). Every non-blank
   * line goes to the job as it is (the job's Parse step validates it); blank lines are skipped. The
   * timestamp is the `eventtime` of a line the job accepts ({@link acceptedEventTime}); a line the job
   * will reject (no readable event time, IPv6, a bad field) keeps the minimum timestamp and does not
   * move the watermark, whatever date it carries.
   */
  netflowNdjson(path: string, options: LineSourceOptions = {}): PTransform<Pipeline, PCollection<SourcedLine>> {
    return Read(
      lineSource<SourcedLine>(`NetflowNdjson(${path})`, path, (text, line) => {
        if (text.trim() === '') return { kind: 'skip', reason: 'blank' };
        return { kind: 'element', value: { text, origin: { file: path, line } }, timestamp: acceptedEventTime(text) };
      }, options),
    );
  },
};

/**
 * A reader's result as a line outcome: a flow becomes its Netflow JSON with its origin, stamped with
 * its event time. A flow whose event time cannot be read or is out of range (1970..2100) is a dead
 * letter (`invalid-timestamp`), never an element with some other time. A flow the job will reject for
 * another reason (a bad address, a negative count, ...) goes to the job unstamped (the minimum
 * timestamp), so it never moves the watermark.
 */
export function toNetflowLine(r: ReadResult, file: string, line: number): LineOutcome<SourcedLine> {
  if (r.kind === 'skipped') return { kind: 'skip', reason: r.reason };
  if (r.kind === 'rejected') return { kind: 'dead', reason: r.reason, message: r.detail };
  const t = eventTimeOf(r.raw);
  if (typeof t === 'string') return { kind: 'dead', reason: 'invalid-timestamp', message: t };
  const text = JSON.stringify(r.raw);
  // A flow the job will reject (a bad address, a negative count, ...) does not move the watermark.
  return { kind: 'element', value: { text, origin: { file, line } }, timestamp: acceptedEventTime(text) === undefined ? undefined : t };
}

/** The flow's event time in ms, or why it has none. */
function eventTimeOf(raw: Readonly<Record<string, unknown>>): Instant | string {
  const seconds = readNumericMember(raw, 'eventtime');
  if (!seconds.ok) return seconds.reason === 'missing-field' ? 'eventtime is missing' : seconds.detail;
  const problem = eventTimeProblem(seconds.value);
  return problem ? problem.detail : eventTimeMillis({ eventtime: seconds.value });
}
