import type { Observable } from 'rxjs';
import { ConflictingOptionsError } from '../sdk/errors.js';
import type { PCollection } from '../sdk/pcollection.js';
import type { Pipeline } from '../sdk/pipeline.js';
import type { PTransform } from '../sdk/ptransform.js';
import { Read } from '../transforms/read.js';
import { ObservableOutput } from './observable-output.js';
import { ObservableSource, type ObservableReadOptions } from './observable-source.js';

/**
 * RxJS in and out of a pipeline: {@link RxIO.read} makes an Observable the input of a pipeline,
 * {@link RxIO.toObservable} makes a PCollection's output (or its `lateData()`, or its `deadLetters()`)
 * an Observable.
 * @example
 * const counts = p.apply('Clicks', RxIO.read(clicks$, { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: seconds(5) } }))
 *   .apply('PerMinute', Window.into<Click>(FixedWindows(seconds(60))))
 *   .apply('Count', Count.globally().withoutDefaults());
 * const out = counts.apply('Out', RxIO.toObservable<number>());
 * out.values$.subscribe({ next: console.log, error: console.error });
 * await p.run();
 */
export const RxIO = {
  /**
   * Reads an Observable: each element it sends is an element of the PCollection, at the event time
   * `timestamp` gives (default: when it arrived, on the run's clock), under the watermark policy
   * (bounded out-of-orderness). Its completion ends the input (the watermark goes to +infinity), its
   * error fails the run with an ObservableSourceError naming the step, and elements whose time cannot
   * be read are on the step's `deadLetters()`. At most `maxBuffered` elements wait for the pipeline:
   * beyond that the run fails with an ObservableOverflowError (an Observable cannot be paused). A run
   * with `checkpointDir` refuses it (an Observable cannot be rewound). See {@link ObservableSource}.
   * @throws RangeError for a `maxBuffered` or `maxOutOfOrderness` out of range; ConflictingOptionsError
   * (naming the step, when applied) when both `timestamp` and its deprecated alias `timestampFn` are given.
   * @example p.apply('Clicks', RxIO.read(clicks$, { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: 5_000 } }))
   */
  read<T>(observable: Observable<T>, options: ObservableReadOptions<T> = {}): PTransform<Pipeline, PCollection<T>> {
    const conflicting = options.timestamp !== undefined && options.timestampFn !== undefined;
    const { timestampFn, ...rest } = options;
    const source = new ObservableSource(observable, { ...rest, timestamp: options.timestamp ?? timestampFn });
    const read = Read(source);
    return {
      name: 'RxIO.read',
      expand: (p, ctx) => {
        if (conflicting) throw new ConflictingOptionsError(source.name, 'timestamp', 'timestampFn', ctx.stepName);
        return read.expand(p, ctx);
      },
    };
  },

  /**
   * A PCollection's output as Observables (`values$`, `records$` with window and pane): they complete
   * when the run ends normally and send a RunEndedError when it fails or is cancelled. See {@link ObservableOutput}.
   * @example const late = windowed.lateData().apply('Late', RxIO.toObservable<LateRecord>()); late.values$.subscribe(...)
   */
  toObservable<T>(): ObservableOutput<T> {
    return new ObservableOutput<T>();
  },
};
