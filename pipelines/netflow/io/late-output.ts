import type { LateRecord } from '../../../sdk/graph.js';
import type { FlowRecord } from '../flow-record.js';
import type { IngestedFlow } from '../netflow-job.js';
import type { LineOrigin } from '../sourced-line.js';

/**
 * One line of `--lateOutput`: a flow the job's GroupByKey dropped as late, as plain JSON.
 * - `reason`: `past-allowed-lateness` (its window's end plus the allowed lateness was behind the
 *   watermark when it arrived) or `window-closed`;
 * - `window` as text, `windowStart` / `windowEnd` in epoch ms; `timestamp`: its event time (ms);
 * - `origin`: `{ file, line }` or `{ topic, partition, offset }`, null when the input has none (generator);
 * - `record`: the parsed flow (the raw line can be found by its origin).
 */
export interface LateOutputRecord {
  readonly reason: LateRecord['reason'];
  readonly step: string;
  readonly window: string;
  readonly windowStart: number | null;
  readonly windowEnd: number | null;
  readonly timestamp: number;
  readonly origin: LineOrigin | null;
  readonly eventid: string | null;
  /** Processing time (epoch ms) at which the flow entered the job. */
  readonly ingestedAt: number | null;
  readonly record: FlowRecord | unknown;
}

const INTERVAL = /^\[(.+), (.+)\)$/;

/**
 * A late record of the Netflow job (its value a `KV<src_ip4, IngestedFlow>`) as an output record;
 * any other value is kept as `record`.
 * @example lateOutputRecord({ step: 'Netflow/GroupByKey', reason: 'past-allowed-lateness', timestamp: 400, window: '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z)', value: { key: 1, value: flow } })
 *   // { reason: 'past-allowed-lateness', window: '[…)', windowStart: 0, windowEnd: 3000, timestamp: 400, origin: flow.origin ?? null, eventid: flow.record.eventid, ... }
 */
export function lateOutputRecord(l: LateRecord): LateOutputRecord {
  const flow = ingestedFlowOf(l.value);
  const m = INTERVAL.exec(l.window);
  const start = m ? Date.parse(m[1]!) : Number.NaN;
  const end = m ? Date.parse(m[2]!) : Number.NaN;
  return {
    reason: l.reason,
    step: l.step,
    window: l.window,
    windowStart: Number.isNaN(start) ? null : start,
    windowEnd: Number.isNaN(end) ? null : end,
    timestamp: l.timestamp,
    origin: flow?.origin ?? null,
    eventid: flow ? flow.record.eventid : null,
    ingestedAt: flow ? flow.ingestedAt : null,
    record: flow ? flow.record : l.value,
  };
}

function ingestedFlowOf(v: unknown): IngestedFlow | undefined {
  const f = typeof v === 'object' && v !== null ? (v as { value?: unknown }).value : undefined;
  return typeof f === 'object' && f !== null && typeof (f as IngestedFlow).record === 'object' ? (f as IngestedFlow) : undefined;
}
