import type { GraphStep, RunSample, StepSample } from '../../sdk/run-observer.js';
import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../sdk/time.js';

/** The whole run at a sample: what the progress line and the dashboard's headline show. */
export interface RunTotals {
  readonly at: Instant;
  /** Elements every read step took from its source. */
  readonly recordsIn: number;
  /**
   * Elements that reached the pipeline's ends: per output read only by terminal steps (sinks, which
   * nothing reads), counted once however many sinks read it.
   */
  readonly recordsOut: number;
  readonly lateDropped: number;
  readonly deadLettered: number;
  /**
   * The input watermark: the lowest watermark of the sources still being read (TIMESTAMP_MAX once all
   * ended); undefined before any source has one.
   */
  readonly watermark: Instant | undefined;
  /** Processing time minus the watermark: how far event time trails the clock. */
  readonly lagMs: number | undefined;
  /** Bounded input: the share read (0..1), when every source still being read knows its size. */
  readonly shareDone: number | undefined;
}

/** The steps that nothing in `graph` reads: the pipeline's sinks. */
export function terminalSteps(graph: readonly GraphStep[]): GraphStep[] {
  const read = new Set<string>();
  for (const s of graph) {
    for (const i of s.inputs) read.add(i.step);
    for (const side of s.sideInputs) read.add(side);
  }
  return graph.filter((s) => !read.has(s.step));
}

/**
 * Sums a sample up (see {@link RunTotals}).
 * @example runTotals(start.graph, sample).recordsIn // 120000
 */
export function runTotals(graph: readonly GraphStep[], sample: RunSample): RunTotals {
  const byStep = new Map<string, StepSample>(sample.steps.map((s) => [s.step, s]));
  let recordsIn = 0;
  let lateDropped = 0;
  let deadLettered = 0;
  let watermark: Instant | undefined;
  let done = 0;
  let total = 0;
  let sized = true;
  let reading = 0;
  for (const g of graph) {
    const s = byStep.get(g.step);
    if (!s) continue;
    lateDropped += s.lateDropped;
    deadLettered += s.deadLettered;
    if (g.kind !== 'read') continue;
    recordsIn += s.elementsIn;
    if (s.done) continue;
    reading++;
    if (s.inputWatermark > TIMESTAMP_MIN && (watermark === undefined || s.inputWatermark < watermark)) watermark = s.inputWatermark;
    if (s.progress && s.progress.total > 0) {
      done += Math.min(s.progress.done, s.progress.total);
      total += s.progress.total;
    } else sized = false;
  }
  if (reading === 0 && graph.some((g) => g.kind === 'read')) watermark = TIMESTAMP_MAX;
  // Each output read only by sinks counts once (a pair written to a file and counted by a summary is one record out).
  const seen = new Set<string>();
  let recordsOut = 0;
  for (const t of terminalSteps(graph)) {
    const s = byStep.get(t.step);
    if (!s) continue;
    if (t.inputs.length === 0) {
      recordsOut += s.elementsOut;
      continue;
    }
    const key = t.inputs.map((i) => `${i.step}\u0000${i.tag}`).sort().join('\u0001');
    if (seen.has(key)) continue;
    seen.add(key);
    recordsOut += s.elementsIn;
  }
  const finite = watermark !== undefined && watermark < END_OF_GLOBAL_WINDOW;
  return {
    at: sample.at,
    recordsIn,
    recordsOut,
    lateDropped,
    deadLettered,
    watermark,
    lagMs: finite ? Math.max(0, sample.at - watermark!) : undefined,
    shareDone: reading > 0 && sized && total > 0 ? done / total : reading === 0 && graph.some((g) => g.kind === 'read') ? 1 : undefined,
  };
}

/**
 * The rate of a growing count over the last `windowMs` of the run's clock (e.g. records per second).
 * @example
 * const m = new RateMeter(); m.add(0, 0); m.add(1000, 500); m.perSecond() // 500
 */
export class RateMeter {
  private readonly points: [Instant, number][] = [];
  constructor(private readonly windowMs = 5000) {}

  add(at: Instant, value: number): void {
    this.points.push([at, value]);
    const last = at;
    // keep one point at or before the window's start, so the window is covered
    while (this.points.length > 2 && last - this.points[1]![0] >= this.windowMs) this.points.shift();
  }

  /** Per second over the window; undefined before two points at different times. */
  perSecond(): number | undefined {
    if (this.points.length < 2) return undefined;
    const [t0, v0] = this.points[0]!;
    const [t1, v1] = this.points[this.points.length - 1]!;
    return t1 > t0 ? ((v1 - v0) * 1000) / (t1 - t0) : undefined;
  }
}
