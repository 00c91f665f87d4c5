import { Subject, filter, map, type Observable } from 'rxjs';
import type { DoFn } from '../sdk/dofn.js';
import type { PaneInfo } from '../sdk/pane.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { ExpandContext, PTransform } from '../sdk/ptransform.js';
import type { Instant } from '../sdk/time.js';
import type { BoundedWindow } from '../sdk/window.js';
import { RunEndedError } from './errors.js';

/** One output of a PCollection, as {@link ObservableOutput.records$} sends it. */
export interface ObservedRecord<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
  /** A retraction of an earlier pane (accumulating and retracting triggers). */
  readonly retraction: boolean;
}

/**
 * A PCollection's output as Observables (made by {@link RxIO.toObservable}). They are hot: a subscriber
 * sees what the step outputs after it subscribed, so subscribe before `p.run()` / `p.start()`. When
 * the run ends normally (DONE, STOPPED or DRAINED) they complete; when it fails or is cancelled they
 * send a {@link RunEndedError} (the step and how the run ended), so a stream cut short never looks
 * complete: subscribe with an `error` handler (rxjs reports an unhandled one as an uncaught exception).
 *
 * Nothing waits for a subscriber: elements go out as the step processes them (no backpressure), and
 * with no subscriber they go nowhere. With checkpoints, a resumed run sends again what followed its
 * last checkpoint (at least once).
 * @example
 * const out = counts.apply('Out', RxIO.toObservable<KV<string, number>>());
 * out.values$.subscribe({ next: (c) => console.log(c.key, c.value), error: (e) => console.error(e) });
 * await p.run();
 */
export class ObservableOutput<T> implements PTransform<PCollection<T>, ObservableOutput<T>> {
  readonly name = 'ToObservable';
  private readonly subject = new Subject<ObservedRecord<T>>();
  /** Every output with its timestamp, window and pane, retractions included. */
  readonly records$: Observable<ObservedRecord<T>> = this.subject.asObservable();
  /** The values (retractions left out). */
  readonly values$: Observable<T> = this.records$.pipe(
    filter((r) => !r.retraction),
    map((r) => r.value),
  );
  private expanded = false;

  /** @throws Error when applied a second time (one output per ObservableOutput). */
  expand(input: PCollection<T>, ctx: ExpandContext): ObservableOutput<T> {
    if (this.expanded) throw new Error(`this RxIO.toObservable() is already applied; make a new one for step '${ctx.stepName}'`);
    this.expanded = true;
    const subject = this.subject;
    const step = ctx.stepName;
    const fn: DoFn<T, never> = {
      process(value, c) {
        subject.next({ value, timestamp: c.timestamp, window: c.window, pane: c.pane, retraction: c.isRetraction });
      },
      teardown({ outcome }) {
        if (outcome === 'done') subject.complete();
        else subject.error(new RunEndedError(step, outcome));
      },
    };
    ctx.primitive({ kind: 'pardo', fn, tags: [], sideInputs: [], deadLetters: false, stateful: false }, [input as PCollection<unknown>], {
      main: { windowing: input.windowing, bounded: input.bounded },
    });
    return this;
  }
}
