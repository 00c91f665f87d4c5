import { describe, expect, it } from 'vitest';
import { PipelineConstructionError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type CapturedRecord } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { intervalWindow, type IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { ProcessingTimeWindows } from '../../sdk/windows/processing-time-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Processing-time windows (issue #17 item 5): Window.into(ProcessingTimeWindows...) stamps each
 * element with the processing time at which the step sees it and windows it by that; the window fires
 * when processing time passes its end. Processing time comes from the TestStream's virtual clock, so
 * every run is deterministic. The runners differ as documented: native stamps each element with the
 * clock at that element, micro-batch with the processing time of the batch (its boundary), and
 * micro-batch fires at the first boundary at or after the window's end.
 */

const SIZE = 10_000;

/**
 * The instant a window ending at `end` fires at: the first clock step of the script at or after its
 * end (`steps`; a TestStream's clock moves only at its steps), or on micro-batch with an interval the
 * first batch boundary at or after it.
 */
function firesAt(options: Partial<PipelineOptions>, end: Instant, steps: readonly Instant[]): Instant {
  const interval = options.batchInterval;
  if (options.runner === 'microbatch' && typeof interval === 'number') return Math.ceil(end / interval) * interval;
  return steps.find((t) => t >= end)!;
}

const win = (r: CapturedRecord<unknown>) => r.window as IntervalWindow;

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('processing-time windows on $label', ({ options }) => {
  it('elements with the same event time seen in different processing-time windows are counted apart; each window fires when processing time passes its end', async () => {
    // every element has event time 5; they arrive at processing times 0, 0, 10 s, 25 s
    const stream = TestStream.create<string>()
      .addElements(['a', 5], ['b', 5])
      .advanceProcessingTimeBy(SIZE)
      .addElements(['c', 5])
      .advanceProcessingTimeTo(25_000)
      .addElements(['d', 5]);
    const { out } = await runWith(options, (p) => {
      const windowed = p.apply(stream).apply(Window.into<string>(ProcessingTimeWindows.tumbling(SIZE)));
      const stamped = windowed.apply('Stamped', Capture.records<string>());
      const counts = windowed
        .apply(WithKeys(() => 'all'))
        .apply(Count.perKey<string>())
        .apply('Counts', Capture.records<KV<string, number>>());
      return { stamped, counts };
    });
    const counts = out.counts.records;
    expect(counts.map((r) => [win(r).start, r.value.value])).toEqual([
      [0, 2],
      [10_000, 1],
      [20_000, 1],
    ]);
    // each fires once, ON_TIME, stamped with the end of its window (END_OF_WINDOW), when processing time reaches its end
    expect(counts.map((r) => [r.pane.timing, r.pane.isLast, r.timestamp])).toEqual([
      ['ON_TIME', true, 9_999],
      ['ON_TIME', true, 19_999],
      ['ON_TIME', true, 29_999],
    ]);
    expect(counts[0]!.emittedAt).toBe(firesAt(options, 10_000, [10_000, 25_000]));
    expect(counts[1]!.emittedAt).toBe(firesAt(options, 20_000, [10_000, 25_000]));
    // the last window fires when the input ends (the script's last instant): nothing is held back
    expect(counts[2]!.emittedAt).toBe(25_000);
    // the step re-stamps: timestamps are processing times inside the window, never the event time 5
    for (const r of out.stamped.records) {
      expect(r.timestamp).toBeGreaterThanOrEqual(win(r).start);
      expect(r.timestamp).toBeLessThanOrEqual(win(r).maxTimestamp);
    }
    const stampOf = (v: string) => out.stamped.records.find((r) => r.value === v)!.timestamp;
    if (options.runner === 'native') expect(['a', 'b', 'c', 'd'].map(stampOf)).toEqual([0, 0, 10_000, 25_000]);
    else {
      // micro-batch: the processing time of the element's batch (its end boundary; with asap the instant
      // the script ends the batch at), the same for a and b (one batch); d's batch is the last, run when
      // the script ends at 25 s
      const interval = options.batchInterval;
      const batchTime = (scripted: Instant) => (typeof interval === 'number' ? (Math.floor(scripted / interval) + 1) * interval : scripted);
      expect(['a', 'b', 'c', 'd'].map(stampOf)).toEqual([...[0, 0, 10_000].map(batchTime), 25_000]);
    }
  });

  it('a window does not fire before processing time reaches its end, however far the event-time watermark moves, and no element is late', async () => {
    const STEPS = [5_000, 10_000, 30_000];
    const stream = TestStream.create<string>({ startTime: 1_000 })
      .addElements(['a', 0])
      .advanceWatermarkTo(1_000_000_000) // event time races ahead: irrelevant to processing-time windows
      .advanceProcessingTimeTo(5_000)
      .addElements(['b', 3]) // event time far behind the watermark: not late here
      .advanceProcessingTimeTo(10_000)
      .addElements(['c', 7])
      .advanceProcessingTimeTo(30_000);
    const { out } = await runWith(options, (p) => {
      const windowed = p.apply(stream).apply(Window.into<string>(ProcessingTimeWindows.tumbling(SIZE)));
      const grouped = windowed
        .apply(WithKeys(() => 'k'))
        .apply(GroupByKey<string, string>());
      const groups = grouped.apply('Groups', Capture.records<KV<string, string[]>>());
      const late = grouped.lateData().apply('Late', Capture.records());
      return { groups, late };
    });
    expect(out.groups.records.map((r) => [win(r).start, [...r.value.value].sort(), r.emittedAt])).toEqual([
      [0, ['a', 'b'], firesAt(options, 10_000, STEPS)],
      [10_000, ['c'], firesAt(options, 20_000, STEPS)],
    ]);
    expect(out.late.records).toEqual([]);
  });

  it('Combine and a further event-time window downstream see ordinary windows and timestamps', async () => {
    // per key sums per 10 s of processing time, then summed again per minute of (the new) event time
    const stream = TestStream.create<KV<string, number>>()
      .addElements([kv('x', 1), 100], [kv('y', 2), 100])
      .advanceProcessingTimeBy(SIZE)
      .addElements([kv('x', 3), 50])
      .advanceProcessingTimeBy(SIZE)
      .addElements([kv('x', 4), 0]);
    const { out } = await runWith(options, (p) => {
      const sums = p
        .apply(stream)
        .apply(Window.into<KV<string, number>>(ProcessingTimeWindows.tumbling(SIZE)))
        .apply('Sum10s', Sum.perKey<string>());
      const perWindow = sums.apply('PerWindow', Capture.records<KV<string, number>>());
      const perMinute = sums
        .apply(Window.into<KV<string, number>>(FixedWindows(60_000)))
        .apply('SumMinute', Sum.perKey<string>())
        .apply('PerMinute', Capture.records<KV<string, number>>());
      return { perWindow, perMinute };
    });
    const rows = out.perWindow.records.map((r) => `${win(r).start} ${r.value.key}=${r.value.value} ts=${r.timestamp}`).sort();
    expect(rows).toEqual(['0 x=1 ts=9999', '0 y=2 ts=9999', '10000 x=3 ts=19999', '20000 x=4 ts=29999']);
    // the 10 s sums re-windowed by their timestamps (window ends - 1 ms) into one minute
    expect(out.perMinute.records.map((r) => `${win(r).start} ${r.value.key}=${r.value.value} ${r.pane.timing}`).sort()).toEqual(['0 x=8 ON_TIME', '0 y=2 ON_TIME']);
  });

  it('sliding processing-time windows put an element in every window containing its processing time', async () => {
    const stream = TestStream.create<string>({ startTime: 2_000 })
      .addElements(['a', 0])
      .advanceProcessingTimeTo(6_000)
      .addElements(['b', 0])
      .advanceProcessingTimeTo(20_000);
    const { out } = await runWith(options, (p) =>
      p
        .apply(stream)
        .apply(Window.into<string>(ProcessingTimeWindows.sliding(SIZE, 5_000)))
        .apply(WithKeys(() => 'k'))
        .apply(GroupByKey<string, string>())
        .apply(MapElements((g: KV<string, string[]>) => [...g.value].sort().join('')))
        .apply(Capture.records<string>()),
    );
    const got = out.records.map((r) => `${win(r).start}..${win(r).end} ${r.value}`).sort((x, y) => Number(x.split('..')[0]) - Number(y.split('..')[0]));
    // a at 2 s (or its batch's time, still before 5 s): [-5 s, 5 s) and [0, 10 s); b at 6 s: [0, 10 s) and [5 s, 15 s)
    expect(got).toEqual(['-5000..5000 a', '0..10000 ab', '5000..15000 b']);
  });

  it('early firings by a processing-time trigger work as on event-time windows', async () => {
    const stream = TestStream.create<string>()
      .addElements(['a', 0])
      .advanceProcessingTimeTo(5_000) // the early pane (due 2 s after a was seen) fires by now
      .addElements(['b', 0])
      .advanceProcessingTimeTo(SIZE);
    const { out } = await runWith(options, (p) =>
      p
        .apply(stream)
        .apply(
          Window.into<string>(ProcessingTimeWindows.tumbling(SIZE))
            .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(2_000)))
            .accumulatingFiredPanes(),
        )
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>())
        .apply(Capture.records<KV<string, number>>()),
    );
    // a alone early; b (seen at 5 s) early again 2 s later, at the latest when the window ends; then the
    // ON_TIME pane at the window's end (accumulating: 2, nothing new since, fired as Beam does by default)
    expect(out.records.map((r) => [r.window.id, r.value.value, r.pane.timing])).toEqual([
      [intervalWindow(0, SIZE).id, 1, 'EARLY'],
      [intervalWindow(0, SIZE).id, 2, 'EARLY'],
      [intervalWindow(0, SIZE).id, 2, 'ON_TIME'],
    ]);
    expect(out.records[0]!.emittedAt).toBeLessThanOrEqual(5_000);
    expect(out.records[2]!.emittedAt).toBe(SIZE);
  });
});

describe('ProcessingTimeWindows construction', () => {
  it('refuses sizes, periods and offsets out of range', () => {
    expect(() => ProcessingTimeWindows.tumbling(0)).toThrow(RangeError);
    expect(() => ProcessingTimeWindows.tumbling(1000, 1000)).toThrow(/offset/);
    expect(() => ProcessingTimeWindows.sliding(1000, 0)).toThrow(RangeError);
    expect(() => ProcessingTimeWindows.sliding(1000, 500, -1)).toThrow(/offset/);
    expect(ProcessingTimeWindows.tumbling(1000).name).toBe('ProcessingTimeWindows.tumbling(1000ms)');
  });

  it('refuses to re-window the output of an accumulating-and-retracting aggregation (its retractions would miss their panes)', () => {
    const p = Pipeline.create();
    const sums = p
      .apply(TestStream.create<KV<string, number>>().addElements([kv('x', 1), 0]))
      .apply(Window.into<KV<string, number>>(FixedWindows(1000)).accumulatingAndRetractingFiredPanes())
      .apply(Sum.perKey<string>());
    expect(() => sums.apply('Again', Window.into<KV<string, number>>(ProcessingTimeWindows.tumbling(1000)))).toThrow(PipelineConstructionError);
    expect(() => sums.apply('Again2', Window.into<KV<string, number>>(ProcessingTimeWindows.tumbling(1000)))).toThrow(/Again2.*retract/);
  });
});
