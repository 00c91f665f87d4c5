import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import type { Instant } from '../../../sdk/time.js';
import { lineSource, type LineOutcome, type LineSourceOptions } from '../../../transforms/io/text-file.js';
import { Read } from '../../../transforms/read.js';
import { eventTimeMillis } from '../flow-record.js';
import { eventTimeProblem } from '../flow-ranges.js';
import { readNumericMember } from '../parse-flow.js';
import type { ReadResult } from '../readers/read-result.js';
import { readSuricataEveLine } from '../readers/suricata-eve.js';
import { ZeekConnParser, type ZeekConnOptions } from '../readers/zeek-conn.js';

/**
 * Sensor logs as bounded sources of raw Netflow JSON lines, the Netflow job's input: each flow line
 * is mapped by its reader onto the Netflow event's members and written as JSON (validation is left
 * to the job's Parse step, which counts rejects per reason). Lines that are not flows (other EVE
 * event types, Zeek headers, blank lines) are counted in `stats.skipped` by reason; lines that should
 * be flows but cannot be read go to the Read step's dead-letter output with the reader's reason and
 * origin `{ file, line }`, and are counted in `stats.deadLettered`.
 *
 * Each line's timestamp is its event time. The watermark stays at the minimum until the whole file
 * is read (default), because sensor logs are not in event-time order (the Suricata sample is
 * shuffled; Zeek writes connections when they end); pass `watermark: { maxOutOfOrderness }` to let
 * windows fire while reading, at the price of dropping records further out of order as late.
 */
export const SensorLog = {
  /** Suricata EVE JSON (`event_type: "flow"` lines). */
  suricataEve(path: string, options: LineSourceOptions = {}): PTransform<Pipeline, PCollection<string>> {
    return Read.from(lineSource(`SuricataEve(${path})`, path, (text) => toNetflowLine(readSuricataEveLine(text)), options));
  },

  /** Zeek conn.log, tab-separated with headers or JSON lines. */
  zeekConn(path: string, options: LineSourceOptions & ZeekConnOptions = {}): PTransform<Pipeline, PCollection<string>> {
    return {
      name: `Read(ZeekConn(${path}))`,
      expand: (p, ctx) => {
        // A fresh parser per run: the tab-separated format is stateful (#fields header).
        let parser = new ZeekConnParser(options);
        const source = lineSource(`ZeekConn(${path})`, path, (text, line) => {
          if (line === 1) parser = new ZeekConnParser(options);
          return toNetflowLine(parser.read(text));
        }, options);
        return Read.from(source).expand(p, ctx);
      },
    };
  },
};

/**
 * A reader's result as a line outcome: a flow becomes its Netflow JSON, stamped with its event time.
 * A flow whose event time cannot be read or is out of range (1970..2100) is a dead letter
 * (`invalid-timestamp`), never an element with some other time.
 */
export function toNetflowLine(r: ReadResult): LineOutcome<string> {
  if (r.kind === 'skipped') return { kind: 'skip', reason: r.reason };
  if (r.kind === 'rejected') return { kind: 'dead', reason: r.reason, message: r.detail };
  const t = eventTimeOf(r.raw);
  if (typeof t === 'string') return { kind: 'dead', reason: 'invalid-timestamp', message: t };
  return { kind: 'element', value: JSON.stringify(r.raw), timestamp: t };
}

/** The flow's event time in ms, or why it has none. */
function eventTimeOf(raw: Readonly<Record<string, unknown>>): Instant | string {
  const seconds = readNumericMember(raw, 'eventtime');
  if (!seconds.ok) return seconds.reason === 'missing-field' ? 'eventtime is missing' : seconds.detail;
  const problem = eventTimeProblem(seconds.value);
  return problem ? problem.detail : eventTimeMillis({ eventtime: seconds.value });
}
