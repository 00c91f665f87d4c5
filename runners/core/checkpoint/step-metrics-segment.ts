import { CorruptCheckpointError } from '../../../sdk/errors.js';
import type { StepMetrics } from '../../../sdk/metrics.js';
import { setOwnField } from '../../../sdk/internal/own-field.js';
import type { SegmentPayload } from './checkpoint-file.js';
import { v8Codec } from './codecs/v8-codec.js';

/** The name of the table that holds a step's counters in a checkpoint (key group null). */
export const METRICS_TABLE = 'metrics';

/**
 * A step's counters (`StepMetrics`) as a checkpoint segment, so that a resumed run reports totals
 * since the job's first start. The counters are taken at the same quiescent point as the state, so
 * they count exactly the progress the checkpoint holds: elements read again after it are counted
 * once. Encoded with `v8/v1`, which keeps what JSON would lose (a user distribution's ±Infinity, NaN).
 * @example engine capture: segments.push(stepMetricsSegment('Count', engine.metrics['Count']))
 */
export function stepMetricsSegment(step: string, metrics: StepMetrics): SegmentPayload {
  return { step, table: METRICS_TABLE, keyGroup: null, codec: v8Codec.name, bytes: v8Codec.encode([[null, METRICS_TABLE, metrics]]) };
}

/**
 * Puts the counters a {@link stepMetricsSegment} holds into `into`, in place (operators and output
 * ports keep references to it): elements in and out, late-dropped, dead-lettered, user counters and
 * distributions. Fields the segment lacks stay as they are (zero in a new engine).
 * @throws CorruptCheckpointError (reason `bad-segment`) when the segment is not a step's counters.
 * @example restoreStepMetrics(engine.metrics['Count'], segment, 'checkpoints/ck-000000000004')
 */
export function restoreStepMetrics(into: StepMetrics, segment: SegmentPayload, checkpoint: string): void {
  const bad = (what: string): never => {
    throw new CorruptCheckpointError(checkpoint, 'bad-segment', `the counters of step '${segment.step}' ${what}`);
  };
  if (segment.table !== METRICS_TABLE || segment.keyGroup !== null) bad(`point at segment ${segment.table}, which holds no counters`);
  const saved: unknown = v8Codec.decode(segment.bytes)[0]?.[2];
  if (typeof saved !== 'object' || saved === null) return bad('are not an object');
  const m = saved as Record<string, unknown>;
  const count = (field: 'elementsIn' | 'elementsOut' | 'lateDropped' | 'deadLettered') => {
    const v = m[field];
    if (v === undefined) return;
    if (typeof v !== 'number') bad(`have a ${field} that is not a number`);
    into[field] = v as number;
  };
  count('elementsIn');
  count('elementsOut');
  count('lateDropped');
  count('deadLettered');
  const counters = m['counters'] ?? {};
  if (typeof counters !== 'object' || counters === null) return bad('have counters that are not an object');
  for (const [name, v] of Object.entries(counters)) {
    if (typeof v !== 'number') bad(`have a counter '${name}' that is not a number`);
    setOwnField(into.counters, name, v as number);
  }
  const distributions = m['distributions'] ?? {};
  if (typeof distributions !== 'object' || distributions === null) return bad('have distributions that are not an object');
  for (const [name, d] of Object.entries(distributions as Record<string, unknown>)) {
    const fields = d as Record<string, unknown> | null;
    if (typeof fields !== 'object' || fields === null || !['count', 'sum', 'min', 'max'].every((f) => typeof fields[f] === 'number')) bad(`have a distribution '${name}' that is not {count, sum, min, max}`);
    const { count: n, sum, min, max } = fields as { count: number; sum: number; min: number; max: number };
    setOwnField(into.distributions, name, { count: n, sum, min, max });
  }
}
