import type { DoFn } from '../dofn.js';
import type { PaneInfo } from '../pane.js';
import type { PCollection } from '../pcollection.js';
import type { PTransform } from '../ptransform.js';
import { formatInstant, type Instant } from '../time.js';
import { formatWindow, type BoundedWindow } from '../window.js';

/** One output as a test sees it. */
export interface CapturedRecord<T> {
  /** The element. */
  readonly value: T;
  /** Its event timestamp. */
  readonly timestamp: Instant;
  /** The window it belongs to (`formatWindow(window)` prints it). */
  readonly window: BoundedWindow;
  /** The pane that produced it: timing EARLY / ON_TIME / LATE, index, first / last. */
  readonly pane: PaneInfo;
  /** True for a retraction (accumulating-and-retracting mode): it withdraws an earlier output equal to `value`. */
  readonly retraction: boolean;
  /** Processing time (from the runner's clock) when the output reached the probe. */
  readonly emittedAt: Instant;
}

/**
 * Collects every output of a PCollection in memory, with its window, pane and emission time, for
 * assertions after `run()`. In-process runners only.
 * @example
 * const probe = counts.apply('Probe', Capture.records());
 * await p.run();
 * expect(probe.values()).toEqual([...]);
 */
export class Probe<T> implements PTransform<PCollection<T>, Probe<T>> {
  readonly name = 'Capture';
  /** Every output, retractions included, in the order they arrived. */
  readonly records: CapturedRecord<T>[] = [];

  expand(input: PCollection<T>, ctx: Parameters<PTransform<PCollection<T>, Probe<T>>['expand']>[1]): Probe<T> {
    const records = this.records;
    const fn: DoFn<T, never> = {
      process(value, c) {
        records.push({ value, timestamp: c.timestamp, window: c.window, pane: c.pane, retraction: c.isRetraction, emittedAt: c.processingTime });
      },
    };
    ctx.primitive({ kind: 'pardo', fn, tags: [], sideInputs: [], deadLetters: false, stateful: false }, [input as PCollection<unknown>], {
      main: { windowing: input.windowing, bounded: input.bounded },
    });
    return this;
  }

  /** Values, in arrival order (retractions excluded). */
  values(): T[] {
    return this.records.filter((r) => !r.retraction).map((r) => r.value);
  }

  /** Values sorted by their JSON form: for order-insensitive comparisons. */
  sortedValues(): T[] {
    return this.values().sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  }

  /**
   * One line per record, e.g. `[0,3000) ON_TIME #1 last {"key":"a","value":3}` (`-` before retractions;
   * `@pt=` with the emission time when `withTime`). Sorted when `sorted`.
   */
  lines(options: { withTime?: boolean; sorted?: boolean } = {}): string[] {
    const out = this.records.map(
      (r) =>
        `${r.retraction ? '-' : ''}${windowLabel(r.window)} ${r.pane.timing} #${r.pane.index}${r.pane.isLast ? ' last' : ''} ${JSON.stringify(r.value)}` +
        (options.withTime ? ` @pt=${r.emittedAt}` : ''),
    );
    return options.sorted ? out.sort() : out;
  }

  /** Human-readable form for failure messages. */
  describe(): string {
    return this.records.map((r) => `${formatWindow(r.window)} ${r.pane.timing} ${JSON.stringify(r.value)} ts=${formatInstant(r.timestamp)}`).join('\n');
  }
}

function windowLabel(w: BoundedWindow): string {
  return w.kind === 'interval' ? `[${(w as unknown as { start: number }).start},${(w as unknown as { end: number }).end})` : w.kind === 'global' ? 'global' : w.id;
}

/**
 * Collects a PCollection's outputs in memory for checks after `run()` (tests, notebooks, small programs):
 * values, and each one's window, pane (EARLY / ON_TIME / LATE, index), timestamp and emission time.
 * In-process runners only (both of this package's runners are).
 * @example
 * const panes = counts.apply('Panes', Capture.records());
 * await p.run();
 * panes.values();  // the values in arrival order
 * panes.lines();   // ['[0,60000) ON_TIME #0 last {"key":"ann","value":2}', ...]
 * panes.records;   // [{ value, timestamp, window, pane, retraction, emittedAt }, ...]
 */
export const Capture = {
  /** A {@link Probe} to apply to a PCollection; its element type comes from the collection it is applied to. */
  records<T>(): Probe<T> {
    return new Probe<T>();
  },
};
