import type { CheckpointSample, GraphStep, RunEnd, RunObserver, RunSample, RunStart, SideOutputExample, StepSample } from '../../sdk/run-observer.js';
import type { BatchMetrics, CheckpointReport } from '../../sdk/runner.js';
import { RateMeter, runTotals, type RunTotals } from '../../runners/monitoring/run-totals.js';

/** One step now: its last sample and its rates. */
export interface StepView extends StepSample {
  readonly kind: GraphStep['kind'];
  /** Elements per second in and out (over the last seconds of the run's clock). */
  readonly inPerSecond: number | undefined;
  readonly outPerSecond: number | undefined;
}

/** One point of the run's history (for the charts). */
export interface HistoryPoint {
  /** Seconds since the run started (run clock). */
  readonly t: number;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly inPerSecond: number | null;
  readonly outPerSecond: number | null;
  /** Watermark lag in seconds, null without a finite watermark. */
  readonly lagSeconds: number | null;
  /** Per read step: its source buffer's fill (0..1). */
  readonly fill: Readonly<Record<string, number>>;
}

/**
 * Everything the page shows of one run, as plain data (what `--reportData` writes as JSON and
 * `compare` reads back).
 */
export interface RunRecord {
  readonly runner: string;
  /** The run's id (`PipelineRun.runId`), when the runner gives one. */
  readonly runId?: string;
  readonly state: 'STARTING' | 'RUNNING' | RunEnd['state'];
  readonly error?: string;
  readonly startedAt: number;
  /** The run's clock at the last sample. */
  readonly at: number;
  readonly virtualClock: boolean;
  readonly graph: readonly GraphStep[];
  readonly steps: readonly StepView[];
  readonly totals: (RunTotals & { readonly inPerSecond: number | undefined; readonly outPerSecond: number | undefined; readonly etaMs: number | undefined }) | undefined;
  readonly history: readonly HistoryPoint[];
  readonly batches: readonly BatchMetrics[];
  /** Batches the run had before the ones kept (only the latest {@link MAX_BATCHES} are kept). */
  readonly batchesDropped: number;
  readonly checkpoints: readonly CheckpointSample[];
  readonly restoredFrom?: CheckpointReport['restoredFrom'];
  /** The latest few per step and kind, newest last. */
  readonly examples: readonly SideOutputExample[];
}

/** History points kept: past this, every other older point is dropped (the whole run stays covered). */
export const MAX_HISTORY = 600;
/** Batches kept (the newest). */
export const MAX_BATCHES = 2000;
/** Examples kept per step and kind. */
export const EXAMPLES_KEPT = 5;

/**
 * A {@link RunObserver} that keeps what the dashboard shows: the graph, each step's latest counters
 * and rates, the run's totals, a history for the charts (thinned to {@link MAX_HISTORY} points),
 * the micro-batches, the checkpoints and the latest late and dead-lettered examples.
 * `onChange` is called after every sample and at the end.
 * @example
 * const rec = new RunRecorder(() => server.publish(rec.record()));
 * Pipeline.create(argv, { observers: [rec] });
 */
export class RunRecorder implements RunObserver {
  readonly sampleEveryMs = 500;
  private runner = '';
  private runId: string | undefined;
  private startedAt = 0;
  private at = 0;
  private virtualClock = false;
  private state: RunRecord['state'] = 'STARTING';
  private error: string | undefined;
  private graph: readonly GraphStep[] = [];
  private steps: StepView[] = [];
  private totals: RunRecord['totals'];
  private history: HistoryPoint[] = [];
  private batches: BatchMetrics[] = [];
  private batchesDropped = 0;
  private checkpoints: CheckpointSample[] = [];
  private restoredFrom: CheckpointReport['restoredFrom'];
  private examples: SideOutputExample[] = [];
  private readonly rates = new Map<string, { in: RateMeter; out: RateMeter }>();
  private readonly inRate = new RateMeter();
  private readonly outRate = new RateMeter();
  private readonly shareRate = new RateMeter(10_000);

  constructor(private readonly onChange: () => void = () => {}) {}

  started(run: RunStart): void {
    this.runner = run.runner;
    this.runId = run.runId;
    this.startedAt = run.startedAt;
    this.at = run.startedAt;
    this.virtualClock = run.virtualClock;
    this.graph = run.graph;
    this.state = 'RUNNING';
    this.onChange();
  }

  sample(s: RunSample): void {
    this.at = s.at;
    const kinds = new Map(this.graph.map((g) => [g.step, g.kind]));
    this.steps = s.steps.map((x) => {
      let r = this.rates.get(x.step);
      if (!r) this.rates.set(x.step, (r = { in: new RateMeter(), out: new RateMeter() }));
      r.in.add(s.at, x.elementsIn);
      r.out.add(s.at, x.elementsOut);
      return { ...x, kind: kinds.get(x.step) ?? 'pardo', inPerSecond: r.in.perSecond(), outPerSecond: r.out.perSecond() };
    });
    // The graph's order (topological), not the sample's.
    const order = new Map(this.graph.map((g, i) => [g.step, i]));
    this.steps.sort((a, b) => (order.get(a.step) ?? 0) - (order.get(b.step) ?? 0));
    const t = runTotals(this.graph, s);
    this.inRate.add(s.at, t.recordsIn);
    this.outRate.add(s.at, t.recordsOut);
    if (t.shareDone !== undefined) this.shareRate.add(s.at, t.shareDone);
    const sharePerMs = (this.shareRate.perSecond() ?? 0) / 1000;
    const etaMs = t.shareDone !== undefined && t.shareDone < 1 && sharePerMs > 0 ? (1 - t.shareDone) / sharePerMs : undefined;
    this.totals = { ...t, inPerSecond: this.inRate.perSecond(), outPerSecond: this.outRate.perSecond(), etaMs };
    const fill: Record<string, number> = {};
    for (const x of this.steps) if (x.kind === 'read' && x.capacity) fill[x.step] = Math.min(1, x.buffered / x.capacity);
    this.history.push({
      t: (s.at - this.startedAt) / 1000,
      recordsIn: t.recordsIn,
      recordsOut: t.recordsOut,
      inPerSecond: this.totals.inPerSecond ?? null,
      outPerSecond: this.totals.outPerSecond ?? null,
      lagSeconds: t.lagMs === undefined ? null : t.lagMs / 1000,
      fill,
    });
    if (this.history.length > MAX_HISTORY) this.history = this.history.filter((_, i) => i % 2 === 1 || i === this.history.length - 1);
    this.batches.push(...s.batches);
    if (this.batches.length > MAX_BATCHES) {
      this.batchesDropped += this.batches.length - MAX_BATCHES;
      this.batches = this.batches.slice(-MAX_BATCHES);
    }
    this.checkpoints.push(...s.checkpoints);
    if (s.examples.length > 0) {
      this.examples.push(...s.examples);
      const seen = new Map<string, number>();
      // newest last: keep the last EXAMPLES_KEPT per step and kind
      this.examples = this.examples
        .reverse()
        .filter((e) => {
          const k = `${e.kind}\u0000${e.step}`;
          const n = (seen.get(k) ?? 0) + 1;
          seen.set(k, n);
          return n <= EXAMPLES_KEPT;
        })
        .reverse();
    }
    this.onChange();
  }

  finished(end: RunEnd): void {
    this.state = end.state;
    this.at = end.at;
    if (end.error !== undefined) this.error = end.error;
    this.restoredFrom = end.result?.checkpoints?.restoredFrom;
    this.onChange();
  }

  /** True once the run has ended (DONE, CANCELLED or FAILED). */
  get ended(): boolean {
    return this.state === 'DONE' || this.state === 'CANCELLED' || this.state === 'FAILED';
  }

  /** What the page shows now, as plain data. */
  record(): RunRecord {
    return {
      runner: this.runner,
      ...(this.runId !== undefined ? { runId: this.runId } : {}),
      state: this.state,
      ...(this.error !== undefined ? { error: this.error } : {}),
      startedAt: this.startedAt,
      at: this.at,
      virtualClock: this.virtualClock,
      graph: this.graph,
      steps: this.steps,
      totals: this.totals,
      history: this.history,
      batches: this.batches,
      batchesDropped: this.batchesDropped,
      checkpoints: this.checkpoints,
      ...(this.restoredFrom ? { restoredFrom: this.restoredFrom } : {}),
      examples: this.examples,
    };
  }
}
