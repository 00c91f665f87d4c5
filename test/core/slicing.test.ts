import { describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { slicingOf } from '../../runners/core/driver/slicing.js';
import { stepFingerprint } from '../../runners/core/checkpoint/checkpoint-compat.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window, type WindowTransform } from '../../transforms/window.js';

type Ev = KV<string, number>;

/** The Combine (or GroupByKey) primitive of `Events → [Window] → [between] → aggregate`. */
function aggregateNode(opts: {
  window?: WindowTransform<Ev>;
  between?: boolean;
  retractingUpstream?: boolean;
  aggregate?: 'count' | 'gbk' | 'globally';
}) {
  const p = Pipeline.create({ runner: 'native' });
  let input = p.apply('Events', TestStream.create<Ev>().advanceWatermarkToInfinity());
  if (opts.retractingUpstream) {
    input = input
      .apply('Up', Window.into<Ev>(FixedWindows(1000)).triggering(AfterCount(1)).accumulatingAndRetractingFiredPanes())
      .apply('UpSum', Sum.perKey<string>())
      .apply('Back', MapElements((e: Ev) => kv(e.key, e.value)));
  }
  let windowed = input.apply('Window', opts.window ?? Window.into<Ev>(SlidingWindows(6000, 2000)));
  if (opts.between) windowed = windowed.apply('Same', MapElements((e: Ev) => e));
  if (opts.aggregate === 'gbk') windowed.apply('Agg', GroupByKey<string, number>());
  else if (opts.aggregate === 'globally') windowed.apply('Values', MapElements((e: Ev) => e.value)).apply('Agg', Sum.globally().withoutDefaults());
  else windowed.apply('Agg', Count.perKey<string>());
  return p.graph().primitives.find((n) => n.fullName.startsWith('Agg') && (n.payload?.kind === 'combine' || n.payload?.kind === 'gbk'))!;
}

describe('slicingOf: which aggregations keep sliding-window state per slice', () => {
  it('a Combine right after Window.into(SlidingWindows) with the default or on-time-only trigger', () => {
    expect(slicingOf(aggregateNode({}))).toMatchObject({ size: 6000, period: 2000, offset: 0 });
    expect(slicingOf(aggregateNode({ window: Window.into<Ev>(SlidingWindows(6000, 2000, 500)).triggering(AfterWatermark()) }))).toMatchObject({ offset: 500 });
    expect(slicingOf(aggregateNode({ window: Window.into<Ev>(SlidingWindows(6000, 2000)).accumulatingFiredPanes() }))).toBeDefined();
  });

  it('not when a window may fire more than once, late data may be kept, timestamps are not the window end, or panes retract', () => {
    const sliding = () => Window.into<Ev>(SlidingWindows(6000, 2000));
    expect(slicingOf(aggregateNode({ window: sliding().withAllowedLateness(1000) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: sliding().triggering(AfterWatermark().withEarlyFirings(AfterCount(1))) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: sliding().triggering(AfterWatermark().withLateFirings(AfterCount(1))) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: sliding().triggering(AfterCount(3)) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: sliding().withTimestampCombiner('EARLIEST') }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: sliding().accumulatingAndRetractingFiredPanes() }))).toBeUndefined();
  });

  it('not when a step lies between Window.into and the Combine, retractions come from upstream, or it is a GroupByKey or Combine.globally', () => {
    expect(slicingOf(aggregateNode({ between: true }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ retractingUpstream: true, window: Window.into<Ev>(SlidingWindows(6000, 2000)).discardingFiredPanes() }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ aggregate: 'gbk' }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ aggregate: 'globally' }))).toBeUndefined();
  });

  it('not for windows that are not sliding, or whose period does not divide their size', () => {
    expect(slicingOf(aggregateNode({ window: Window.into<Ev>(FixedWindows(2000)) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: Window.into<Ev>(SlidingWindows(5000, 2000)) }))).toBeUndefined();
    expect(slicingOf(aggregateNode({ window: Window.into<Ev>(SlidingWindows(2000, 2000)) }))).toBeUndefined();
  });

  it("is part of the step's checkpoint fingerprint (sliced and per-window state do not restore into each other)", () => {
    expect(stepFingerprint(aggregateNode({}))).toBe('SlidingWindows(6000ms every 2000ms)|DefaultTrigger|discarding|lateness=0|END_OF_WINDOW|sliced');
    expect(stepFingerprint(aggregateNode({ between: true }))).toBe('SlidingWindows(6000ms every 2000ms)|DefaultTrigger|discarding|lateness=0|END_OF_WINDOW');
  });
});
