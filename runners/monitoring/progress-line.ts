import type { GraphStep, RunEnd, RunObserver, RunSample, RunStart } from '../../sdk/run-observer.js';
import { compactCount, shortDuration, shortWatermark } from './format.js';
import { RateMeter, runTotals, type RunTotals } from './run-totals.js';

/** Where the line goes, and how. */
export interface ProgressLineOptions {
  /** Writes text to stderr (or a test's buffer). */
  readonly write: (text: string) => void;
  /**
   * `live`: one line redrawn in place (`\r`, erase to end of line) on a terminal, erased when the run
   * ends; `plain`: a new line every `plainEveryMs` (logs, files, pipes).
   */
  readonly mode: 'live' | 'plain';
  /** The terminal's width: the live line is cut to fit. */
  readonly columns?: () => number | undefined;
  /** The line appears once the run has lasted this long on its clock, so short runs stay quiet. Default 1 s. */
  readonly afterMs?: number;
  /** Plain mode: run-clock time between lines. Default 5 s. */
  readonly plainEveryMs?: number;
}

/**
 * The progress line of a run on stderr, on every runner: records in and out with their rates,
 * the input watermark and its lag behind processing time, and for bounded input the share read and
 * the time left (at the rate of the last seconds); micro-batch runs add the batch count. A
 * {@link RunObserver}: it reads samples, never the engine, and never the wall clock.
 * @example
 * // [native] 12.3s  in 1.23M (250k/s)  out 4.56M (1.10M/s)  wm 2024-01-01 10:00:03 lag 3.2s  42% ETA 17s
 * Pipeline.create({ observers: [new ProgressLine({ write: (t) => process.stderr.write(t), mode: 'live' })] });
 */
export class ProgressLine implements RunObserver {
  readonly sampleEveryMs: number;
  private graph: readonly GraphStep[] = [];
  private runner = '';
  private startedAt = 0;
  private readonly inRate = new RateMeter();
  private readonly outRate = new RateMeter();
  private readonly shareRate = new RateMeter(10_000);
  private batches = 0;
  private shown = false;
  private lastPlainAt: number | undefined;

  constructor(private readonly o: ProgressLineOptions) {
    this.sampleEveryMs = o.mode === 'live' ? 500 : 1000;
  }

  started(run: RunStart): void {
    this.graph = run.graph;
    this.runner = run.runner;
    this.startedAt = run.startedAt;
  }

  sample(s: RunSample): void {
    const t = runTotals(this.graph, s);
    this.inRate.add(s.at, t.recordsIn);
    this.outRate.add(s.at, t.recordsOut);
    if (t.shareDone !== undefined) this.shareRate.add(s.at, t.shareDone);
    this.batches += s.batches.length;
    const elapsed = s.at - this.startedAt;
    if (elapsed < (this.o.afterMs ?? 1000)) return;
    if (this.o.mode === 'live') {
      const width = Math.max(20, (this.o.columns?.() ?? 120) - 1);
      this.o.write(`\r${this.format(t, elapsed).slice(0, width)}\x1b[K`);
      this.shown = true;
    } else if (this.lastPlainAt === undefined || s.at - this.lastPlainAt >= (this.o.plainEveryMs ?? 5000)) {
      this.lastPlainAt = s.at;
      this.o.write(`${this.format(t, elapsed)}\n`);
    }
  }

  finished(_end: RunEnd): void {
    // The live line goes away: what the program prints next (its summary) starts on a clean line.
    if (this.shown) this.o.write('\r\x1b[K');
    this.shown = false;
  }

  /** The line for totals `t` after `elapsed` ms. */
  format(t: RunTotals, elapsed: number): string {
    const rate = (m: RateMeter) => {
      const r = m.perSecond();
      return r === undefined ? '' : ` (${compactCount(r)}/s)`;
    };
    const parts = [`[${this.runner}] ${shortDuration(elapsed)}`, `in ${compactCount(t.recordsIn)}${rate(this.inRate)}`, `out ${compactCount(t.recordsOut)}${rate(this.outRate)}`];
    parts.push(`wm ${shortWatermark(t.watermark)}${t.lagMs !== undefined ? ` lag ${shortDuration(t.lagMs)}` : ''}`);
    if (t.shareDone !== undefined) {
      const perMs = (this.shareRate.perSecond() ?? 0) / 1000;
      const eta = t.shareDone >= 1 ? '' : perMs > 0 ? ` ETA ${shortDuration((1 - t.shareDone) / perMs)}` : ' ETA ?';
      parts.push(`${Math.floor(t.shareDone * 100)}%${eta}`);
    }
    if (this.batches > 0) parts.push(`batch ${this.batches}`);
    if (t.deadLettered > 0 || t.lateDropped > 0) parts.push(`late ${compactCount(t.lateDropped)} dead ${compactCount(t.deadLettered)}`);
    return parts.join('  ');
  }
}
