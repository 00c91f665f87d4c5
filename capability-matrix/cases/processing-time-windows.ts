import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Window } from '../../transforms/window.js';
import { eq, observe, sameLines, sortedLines } from '../check.js';
import { defineCase, type Capability, type CaseRun } from '../model.js';
import { PROCESSING_TIME_WINDOW_SCENARIOS } from '../support/processing-time-window-scenarios.js';
import { countPerKey, type Counted } from '../support/count-per-key.js';
import { firingAt, scenarioCase } from './common.js';

/**
 * The Processing-time windows row (not in Beam's matrix, which has no processing-time windows):
 * `Window.into(ProcessingTimeWindows...)` stamps each element with the processing time the step sees
 * it at, windows it by that, and the window fires when processing time passes its end.
 */

const SIZE = 10_000;

/** The processing time a micro-batch runner stamps an element scripted at `scripted` with: its batch's end boundary (asap: the instant itself). */
function batchTime(run: CaseRun<unknown>, scripted: Instant): Instant {
  const interval = run.options.batchInterval;
  return run.microBatch && typeof interval === 'number' ? (Math.floor(scripted / interval) + 1) * interval : scripted;
}

export const PROCESSING_TIME_WINDOWS: Capability = {
  id: 'ours.processing-time-windows',
  group: 'Ours',
  name: 'Processing-time windows',
  source: 'cases/processing-time-windows.ts',
  description:
    'Tumbling and sliding windows of processing time (Flink’s processing-time windows), as ingestion time: the Window step stamps each element with the processing time it sees it at, and its watermark follows processing time.',
  cases: [
    defineCase({
      name: 'elements with the same event time seen 10 s apart are counted in different windows; each fires when processing time passes its end',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner fires a window at the first clock step at or after its end; ' +
        'a micro-batch runner at the first batch boundary at or after it.',
      build(p) {
        // every element has event time 5; they arrive at processing times 0, 0, 10 s and 25 s
        const stream = TestStream.create<string>().addElements(['a', 5], ['a', 5]).advanceProcessingTimeBy(SIZE).addElements(['a', 5]).advanceProcessingTimeTo(25_000).addElements(['a', 5]);
        return countPerKey(p, stream, Window.into<string>(ProcessingTimeWindows.tumbling(SIZE)));
      },
      check(run: CaseRun<Counted>) {
        const records = run.out.out.records;
        const steps = [SIZE, 25_000];
        const fired = records.map((r) => r.emittedAt);
        return observe(
          `fired at pt=${fired.join(', ')}`,
          sameLines('counts', sortedLines(run.out.out), [
            '[0,10000) ON_TIME #0 last {"key":"a","value":2}',
            '[10000,20000) ON_TIME #0 last {"key":"a","value":1}',
            '[20000,30000) ON_TIME #0 last {"key":"a","value":1}',
          ]),
          eq('timestamps (window end - 1 ms)', records.map((r) => r.timestamp), [9_999, 19_999, 29_999]),
          // the last window fires when the input ends (the script's last instant)
          eq('emission times', fired, [firingAt(run, SIZE, steps), firingAt(run, 2 * SIZE, steps), 25_000]),
          eq('late records', run.out.late.records.length, 0),
        );
      },
    }),
    defineCase({
      name: 'an element is stamped with the processing time the Window step sees it at, not its event time',
      notes:
        'Expects the difference the model allows: an element-at-a-time runner stamps each element with the clock when it arrives; ' +
        'a micro-batch runner stamps every element of a batch with the batch’s processing time (its end boundary), so elements of one batch share a window.',
      build(p) {
        const stream = TestStream.create<string>({ startTime: 1_000 }).addElements(['a', 0]).advanceProcessingTimeTo(4_000).addElements(['b', 99_000]).advanceProcessingTimeTo(12_000).addElements(['c', 5]);
        return p.apply(stream).apply(Window.into<string>(ProcessingTimeWindows.tumbling(SIZE))).apply(Capture.records<string>());
      },
      check(run: CaseRun<Probe<string>>) {
        const stamps = run.out.records.map((r) => r.timestamp);
        // c is in the last batch, run when the script ends at 12 s
        return observe(`stamps ${stamps.join(', ')}`, eq('timestamps', stamps, [batchTime(run, 1_000), batchTime(run, 4_000), 12_000]));
      },
    }),
    ...PROCESSING_TIME_WINDOW_SCENARIOS.map((x) => scenarioCase(x)),
  ],
};
