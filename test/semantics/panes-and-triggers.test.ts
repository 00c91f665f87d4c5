import { describe, expect, it } from 'vitest';
import { countPerKey, groups } from '../../capability-matrix/support/count-per-key.js';
import type { LateRecord } from '../../sdk/graph.js';
import { kv } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { PaneInfo } from '../../sdk/pane.js';
import { Capture, type CapturedRecord, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { Instant } from '../../sdk/time.js';
import { AfterAll } from '../../sdk/triggers/after-all.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterEach } from '../../sdk/triggers/after-each.js';
import { AfterFirst } from '../../sdk/triggers/after-first.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Never } from '../../sdk/triggers/never.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import { formatWindow, intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * When panes fire, on every runner. Inputs come from a TestStream; element groups that a count
 * trigger must see exactly are followed by a watermark step that does not move the watermark
 * (`advanceWatermarkTo` of the same value): it ends a micro-batch, so both runners evaluate the
 * trigger on the same elements. Where the micro-batch runner legitimately differs (coarser early
 * panes, processing-time firings at batch boundaries, one LATE pane per batch) the test says so by
 * branching on the runner.
 */

const STEP = 'Count.perKey';
const W0 = intervalWindow(0, 3000);

/** Keys strings by themselves, counts per key and window, captures the panes and the late records. */

function recordsFor<V>(probe: Probe<{ key: string; value: V }>, key: string): CapturedRecord<{ key: string; value: V }>[] {
  return probe.records.filter((r) => r.value.key === key);
}

function lateRecord(value: string, timestamp: Instant, window = W0, reason: LateRecord['reason'] = 'past-allowed-lateness'): LateRecord {
  return { step: STEP, value: kv(value, value), timestamp, window: formatWindow(window), reason };
}

/**
 * The processing time at which a firing due at `target` happens: native fires when the TestStream
 * moves the clock to or past it (`clockSteps`); micro-batch with an interval fires at the first batch
 * boundary (a multiple of the interval) at or after it; micro-batch 'asap' starts a batch at each
 * clock step, so it fires at the same step as native.
 */
function firingTime(options: Partial<PipelineOptions>, target: Instant, clockSteps: readonly Instant[]): Instant {
  if (options.runner === 'microbatch' && typeof options.batchInterval === 'number') {
    return Math.ceil(target / options.batchInterval) * options.batchInterval;
  }
  const t = clockSteps.find((s) => s >= target);
  if (t === undefined) throw new Error(`the clock never reaches ${target}`);
  return t;
}

/** Checks the pane metadata of one window's panes, in emission order (retractions excluded). */
function expectWellFormedPanes(panes: readonly PaneInfo[]): void {
  let nonSpec = 0;
  let seenOnTime = false;
  panes.forEach((p, i) => {
    expect(p.index).toBe(i);
    expect(p.isFirst).toBe(i === 0);
    if (p.timing === 'EARLY') {
      expect(seenOnTime).toBe(false);
      expect(p.nonSpeculativeIndex).toBe(-1);
    } else {
      if (p.timing === 'ON_TIME') {
        expect(seenOnTime).toBe(false);
        seenOnTime = true;
      } else expect(p.timing).toBe('LATE');
      expect(p.nonSpeculativeIndex).toBe(nonSpec++);
    }
    if (p.isLast) expect(i).toBe(panes.length - 1);
  });
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('panes and triggers on $label', ({ options }) => {
  const micro = options.runner === 'microbatch';

  it('early (processing time), on-time and late panes; data past the allowed lateness is dropped', async () => {
    const { out, result } = await runWith(options, (p) =>
      countPerKey(
        p,
        TestStream.create<string>()
          .addElements(['a', 100], ['a', 200])
          .advanceProcessingTime(1000)
          .addElements(['a', 1500], ['b', 3500])
          .advanceWatermarkTo(3000)
          .addElements(['a', 2500])
          .addElements(['a', 2600])
          .advanceWatermarkTo(8000)
          .addElements(['a', 2700])
          .advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(3000))
          .triggering(
            AfterWatermark()
              .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))
              .withLateFirings(AfterCount(1)),
          )
          .withAllowedLateness(5000)
          .discardingFiredPanes(),
      ),
    );
    // window [3000,6000) only completes at 8000: the same on every runner
    expect(recordsFor(out.out, 'b').map((r) => `${r.pane.timing} #${r.pane.index} last=${r.pane.isLast} ${r.value.value}`)).toEqual(['ON_TIME #0 last=false 1']);
    const a = recordsFor(out.out, 'a');
    if (!micro) {
      expect(out.out.lines({ withTime: true }).filter((l) => l.includes('"a"'))).toEqual([
        '[0,3000) EARLY #0 {"key":"a","value":2} @pt=1000',
        '[0,3000) ON_TIME #1 {"key":"a","value":1} @pt=1000',
        '[0,3000) LATE #2 {"key":"a","value":1} @pt=1000',
        '[0,3000) LATE #3 {"key":"a","value":1} @pt=1000',
      ]);
      expect(a.map((r) => r.pane)).toEqual([
        { index: 0, nonSpeculativeIndex: -1, timing: 'EARLY', isFirst: true, isLast: false },
        { index: 1, nonSpeculativeIndex: 0, timing: 'ON_TIME', isFirst: false, isLast: false },
        { index: 2, nonSpeculativeIndex: 1, timing: 'LATE', isFirst: false, isLast: false },
        { index: 3, nonSpeculativeIndex: 2, timing: 'LATE', isFirst: false, isLast: false },
      ]);
    } else {
      // Early panes depend on batch boundaries and the two late elements may share a batch (one
      // LATE pane); what every pane list must satisfy:
      expectWellFormedPanes(a.map((r) => r.pane));
      const sum = (t: string) => a.filter((r) => r.pane.timing === t).reduce((s, r) => s + r.value.value, 0);
      expect(sum('EARLY') + sum('ON_TIME')).toBe(3);
      expect(sum('LATE')).toBe(2);
      expect(a.filter((r) => r.pane.timing === 'ON_TIME')).toHaveLength(1);
      const late = a.filter((r) => r.pane.timing === 'LATE').length;
      expect(late === 1 || late === 2).toBe(true);
      for (const r of a.filter((x) => x.pane.timing === 'EARLY')) expect(r.emittedAt).toBeGreaterThanOrEqual(1000);
      expect(a.every((r) => !r.pane.isLast)).toBe(true);
    }
    expect(out.late.values()).toEqual([lateRecord('a', 2700)]);
    expect(result.metrics[STEP]!.lateDropped).toBe(1);
  });

  // allowed lateness, a finished trigger's 'window-closed' drops, pane metadata through early, on-time
  // and late panes, the ON_TIME pane as the last one: see trigger-scenarios.test.ts (scenarios shared
  // with the capability matrix)

  describe('count and composite triggers', () => {
    const win = (t: Parameters<WindowTransform<string>['triggering']>[0]) => Window.into<string>(FixedWindows(3000)).triggering(t);

    it('AfterCount fires once and closes the window; elements of the same batch join the pane on micro-batch', async () => {
      const { out, result } = await runWith(options, (p) => countPerKey(p, groups(3), win(AfterCount(2))));
      if (!micro) {
        expect(out.out.lines()).toEqual(['[0,3000) EARLY #0 last {"key":"a","value":2}']);
        expect(out.late.values()).toEqual([lateRecord('a', 130, W0, 'window-closed')]);
        expect(result.metrics[STEP]!.lateDropped).toBe(1);
      } else {
        // counted at the end of the batch: one pane with all three
        expect(out.out.lines()).toEqual(['[0,3000) EARLY #0 last {"key":"a","value":3}']);
        expect(out.late.values()).toEqual([]);
        expect(result.metrics[STEP]!.lateDropped).toBe(0);
      }
    });

    // Repeatedly(AfterCount) fires every n elements: see trigger-scenarios.test.ts (count triggers)

    it('Repeatedly(AfterCount) over one batch of 5: per 2 elements on native, one pane on micro-batch', async () => {
      const { out } = await runWith(options, (p) => countPerKey(p, groups(5), win(Repeatedly(AfterCount(2)))));
      expect(out.out.lines()).toEqual(
        micro
          ? ['[0,3000) EARLY #0 {"key":"a","value":5}']
          : ['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #1 {"key":"a","value":2}', '[0,3000) ON_TIME #2 last {"key":"a","value":1}'],
      );
    });

    it('AfterEach runs its triggers in order, then closes the window', async () => {
      const { out, result } = await runWith(options, (p) => countPerKey(p, groups(2, 3, 1), win(AfterEach(AfterCount(2), AfterCount(3)))));
      expect(out.out.lines()).toEqual(['[0,3000) EARLY #0 {"key":"a","value":2}', '[0,3000) EARLY #1 last {"key":"a","value":3}']);
      expect(out.late.values()).toEqual([lateRecord('a', 160, W0, 'window-closed')]);
      expect(result.metrics[STEP]!.lateDropped).toBe(1);
    });

    it('AfterFirst fires on whichever comes first (time for a, count for b), then closes', async () => {
      const { out, result } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .addElements(['b', 200], ['b', 300], ['b', 400])
            .advanceWatermarkTo(0)
            .addElements(['a', 500], ['b', 600])
            .advanceWatermarkToInfinity(),
          win(AfterFirst(AfterCount(3), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
        ),
      );
      expect(out.out.lines({ withTime: true, sorted: true })).toEqual([
        '[0,3000) EARLY #0 last {"key":"a","value":1} @pt=1000',
        '[0,3000) EARLY #0 last {"key":"b","value":3} @pt=1000',
      ]);
      expect(out.late.values()).toEqual([lateRecord('a', 500, W0, 'window-closed'), lateRecord('b', 600, W0, 'window-closed')]);
      expect(result.metrics[STEP]!.lateDropped).toBe(2);
    });

    it('AfterAll waits for every sub-trigger', async () => {
      const { out, result } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000) // the delay passed, but only one element
            .addElements(['a', 200])
            .advanceWatermarkTo(0)
            .addElements(['a', 300])
            .advanceWatermarkToInfinity(),
          win(AfterAll(AfterCount(2), AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
        ),
      );
      expect(out.out.lines({ withTime: true })).toEqual(['[0,3000) EARLY #0 last {"key":"a","value":2} @pt=1000']);
      expect(out.late.values()).toEqual([lateRecord('a', 300, W0, 'window-closed')]);
      expect(result.metrics[STEP]!.lateDropped).toBe(1);
    });

    it('orFinally fires like the main trigger until the until-trigger fires', async () => {
      const { out, result } = await runWith(options, (p) => countPerKey(p, groups(1, 1, 1, 1), win(Repeatedly(AfterCount(1)).orFinally(AfterCount(3)))));
      expect(out.out.lines()).toEqual([
        '[0,3000) EARLY #0 {"key":"a","value":1}',
        '[0,3000) EARLY #1 {"key":"a","value":1}',
        '[0,3000) EARLY #2 last {"key":"a","value":1}',
      ]);
      expect(out.late.values()).toEqual([lateRecord('a', 140, W0, 'window-closed')]);
      expect(result.metrics[STEP]!.lateDropped).toBe(1);
    });

    it('orFinally over one batch: per element on native, one final pane on micro-batch', async () => {
      const { out, result } = await runWith(options, (p) => countPerKey(p, groups(4), win(Repeatedly(AfterCount(1)).orFinally(AfterCount(3)))));
      if (micro) {
        expect(out.out.lines()).toEqual(['[0,3000) EARLY #0 last {"key":"a","value":4}']);
        expect(result.metrics[STEP]!.lateDropped).toBe(0);
      } else {
        expect(out.out.lines()).toEqual([
          '[0,3000) EARLY #0 {"key":"a","value":1}',
          '[0,3000) EARLY #1 {"key":"a","value":1}',
          '[0,3000) EARLY #2 last {"key":"a","value":1}',
        ]);
        expect(result.metrics[STEP]!.lateDropped).toBe(1);
      }
    });

    it('Never fires once, when the window expires', async () => {
      const { out } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100], ['a', 200], ['b', 3100])
            .advanceWatermarkTo(3000) // [0,3000) ends but may still get late data
            .addElements(['a', 2000])
            .advanceWatermarkTo(4999) // not expired yet: 4999 <= 2999 + 2000
            .addElements(['a', 2100])
            .advanceWatermarkTo(5000) // expired
            .addElements(['a', 2200]) // dropped
            .advanceWatermarkToInfinity(),
          win(Never()).withAllowedLateness(2000),
        ),
      );
      expect(out.out.lines()).toEqual(['[0,3000) ON_TIME #0 last {"key":"a","value":4}', '[3000,6000) ON_TIME #0 last {"key":"b","value":1}']);
      expect(out.late.values()).toEqual([lateRecord('a', 2200)]);
    });

    it('the default trigger: on time, then a LATE pane per late element (per batch on micro-batch)', async () => {
      const { out } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceWatermarkTo(3000)
            .addElements(['a', 200], ['a', 300])
            .advanceWatermarkTo(3000)
            .addElements(['a', 400])
            .advanceWatermarkToInfinity(),
          Window.into<string>(FixedWindows(3000)).withAllowedLateness(5000),
        ),
      );
      expect(out.out.lines()).toEqual(
        micro
          ? ['[0,3000) ON_TIME #0 {"key":"a","value":1}', '[0,3000) LATE #1 {"key":"a","value":2}', '[0,3000) LATE #2 {"key":"a","value":1}']
          : [
              '[0,3000) ON_TIME #0 {"key":"a","value":1}',
              '[0,3000) LATE #1 {"key":"a","value":1}',
              '[0,3000) LATE #2 {"key":"a","value":1}',
              '[0,3000) LATE #3 {"key":"a","value":1}',
            ],
      );
    });
  });

  describe('processing-time triggers on the virtual clock', () => {
    it('AfterProcessingTime fires its delay after the first element (native) or at the next batch boundary (micro-batch)', async () => {
      const clockSteps = [0, 400, 800, 1200, 2200];
      const { out } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100], ['a', 200]) // pt 0: due at 600
            .advanceWatermarkTo(0)
            .advanceProcessingTime(400)
            .advanceProcessingTime(400)
            .advanceProcessingTime(400)
            .addElements(['a', 300]) // pt 1200: due at 1800
            .advanceWatermarkTo(0)
            .advanceProcessingTime(1000)
            .advanceWatermarkToInfinity(),
          Window.into<string>(FixedWindows(3000))
            .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(600)))
            .discardingFiredPanes(),
        ),
      );
      const first = firingTime(options, 600, clockSteps);
      const second = firingTime(options, 1800, clockSteps);
      if (!micro) expect([first, second]).toEqual([800, 2200]);
      expect(out.out.lines({ withTime: true })).toEqual([
        `[0,3000) EARLY #0 {"key":"a","value":2} @pt=${first}`,
        `[0,3000) EARLY #1 {"key":"a","value":1} @pt=${second}`,
        // FIRE_ALWAYS (the default): the on-time pane is emitted although the early panes took everything
        '[0,3000) ON_TIME #2 last {"key":"a","value":0} @pt=2200',
      ]);
    });

    it('elements are timed when they are processed; firings are never before arrival + delay', async () => {
      // No watermark step after the elements: on micro-batch they are processed at the end of
      // their batch, so the delay may start at the batch boundary. Only the bounds are common.
      const { out } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 100])
            .advanceProcessingTime(300)
            .advanceProcessingTime(300)
            .advanceProcessingTime(300)
            .advanceProcessingTime(300)
            .advanceProcessingTime(300)
            .advanceProcessingTime(1000)
            .advanceProcessingTime(1000)
            .advanceWatermarkToInfinity(),
          Window.into<string>(FixedWindows(3000)).triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500))),
        ),
      );
      const early = out.out.records.filter((r) => r.pane.timing === 'EARLY');
      expect(early).toHaveLength(1);
      const at = early[0]!.emittedAt;
      if (!micro) expect(at).toBe(600);
      else {
        expect(at).toBeGreaterThanOrEqual(500);
        if (typeof options.batchInterval === 'number') {
          expect(at % options.batchInterval).toBe(0);
          expect(at).toBeLessThanOrEqual(500 + 2 * options.batchInterval);
        }
      }
      expect(out.out.values()).toEqual([kv('a', 1), kv('a', 0)]);
    });

    it('alignedTo: keys whose panes start at different times fire together at the period boundary', async () => {
      const { out } = await runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .advanceProcessingTime(100) // (at pt 0, already on a boundary, it would fire at once)
            .addElements(['a', 100]) // pt 100: due at 1000
            .advanceWatermarkTo(0)
            .advanceProcessingTime(200)
            .addElements(['b', 200], ['b', 300]) // pt 300: due at 1000 too
            .advanceWatermarkTo(0)
            .advanceProcessingTime(700)
            .advanceProcessingTime(500)
            .addElements(['a', 400]) // pt 1500: due at 2000
            .advanceWatermarkTo(0)
            .advanceProcessingTime(500)
            .advanceWatermarkToInfinity(),
          Window.into<string>(FixedWindows(60_000)).triggering(Repeatedly(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000))),
        ),
      );
      expect(out.out.lines({ withTime: true, sorted: true })).toEqual([
        '[0,60000) EARLY #0 {"key":"a","value":1} @pt=1000',
        '[0,60000) EARLY #0 {"key":"b","value":2} @pt=1000',
        '[0,60000) EARLY #1 {"key":"a","value":1} @pt=2000',
      ]);
    });
  });

  it('a late element that extends a session past the watermark re-opens it: early panes, then ON_TIME at its new end', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 0])
            .advanceWatermarkTo(0)
            .advanceWatermarkTo(1000) // [0,1000) complete
            .addElements(['a', 900]) // merges into [0,1900), which is not complete
            .advanceWatermarkTo(1000)
            .advanceWatermarkTo(2000) // [0,1900) complete
            .addElements(['a', 100]) // inside [0,1900): late
            .advanceWatermarkTo(2000)
            .advanceWatermarkToInfinity(),
        )
        .apply(
          Window.into<string>(Sessions(1000))
            .triggering(AfterWatermark().withEarlyFirings(AfterCount(1)).withLateFirings(AfterCount(1)))
            .withAllowedLateness(10_000)
            .accumulatingFiredPanes(),
        )
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()),
    );
    expect(out.records.map((r) => `${formatWindow(r.window)} ${r.pane.timing} ${r.value.value}`)).toEqual([
      `${formatWindow(intervalWindow(0, 1000))} EARLY 1`,
      `${formatWindow(intervalWindow(0, 1000))} ON_TIME 1`,
      `${formatWindow(intervalWindow(0, 1900))} EARLY 2`,
      `${formatWindow(intervalWindow(0, 1900))} ON_TIME 2`,
      `${formatWindow(intervalWindow(0, 1900))} LATE 3`,
    ]);
    // (pane indices go on from the merged windows' panes)
    const idx = out.records.map((r) => r.pane.index);
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]!);
  });

  // on-time behaviour (FIRE_ALWAYS, FIRE_IF_NON_EMPTY): see trigger-scenarios.test.ts

  describe('timestamp combiners', () => {
    const run = (combiner: 'END_OF_WINDOW' | 'EARLIEST' | 'LATEST') =>
      runWith(options, (p) =>
        countPerKey(
          p,
          TestStream.create<string>()
            .addElements(['a', 5000], ['a', 3000])
            .advanceWatermarkTo(0) // early pane 1
            .addElements(['a', 4000], ['a', 6000])
            .advanceWatermarkTo(0) // early pane 2
            .addElements(['a', 7000], ['b', 2500], ['b', 1500], ['b', 2000])
            .advanceWatermarkTo(10_000) // on time
            .addElements(['a', 500], ['a', 600])
            .advanceWatermarkTo(10_000) // late
            .advanceWatermarkToInfinity(),
          Window.into<string>(FixedWindows(10_000))
            .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(2)))
            .withAllowedLateness(5000)
            .withTimestampCombiner(combiner),
        ),
      );
    const stamps = (probe: Probe<{ key: string; value: number }>, key: string) => recordsFor(probe, key).map((r) => `${r.pane.timing}:${r.timestamp}`);

    it('END_OF_WINDOW stamps every pane with the window end', async () => {
      const { out } = await run('END_OF_WINDOW');
      expect(stamps(out.out, 'a')).toEqual(['EARLY:9999', 'EARLY:9999', 'ON_TIME:9999', 'LATE:9999']);
      expect(stamps(out.out, 'b')).toEqual(['EARLY:9999', 'ON_TIME:9999']);
    });

    it('EARLIEST stamps a pane with its earliest input (late panes: not before the watermark, so the window end)', async () => {
      const { out } = await run('EARLIEST');
      expect(stamps(out.out, 'a')).toEqual(['EARLY:3000', 'EARLY:4000', 'ON_TIME:7000', 'LATE:9999']);
      // b: an early pane of 2 (the order within a batch decides which two on native; the earliest of them)
      const b = recordsFor(out.out, 'b');
      if (micro) expect(b.map((r) => `${r.pane.timing}:${r.timestamp}:${r.value.value}`)).toEqual(['EARLY:1500:3', 'ON_TIME:9999:0']);
      else expect(b.map((r) => `${r.pane.timing}:${r.timestamp}:${r.value.value}`)).toEqual(['EARLY:1500:2', 'ON_TIME:2000:1']);
    });

    it('LATEST stamps a pane with its latest input', async () => {
      const { out } = await run('LATEST');
      expect(stamps(out.out, 'a')).toEqual(['EARLY:5000', 'EARLY:6000', 'ON_TIME:7000', 'LATE:9999']);
      const b = recordsFor(out.out, 'b');
      if (micro) expect(b.map((r) => `${r.pane.timing}:${r.timestamp}:${r.value.value}`)).toEqual(['EARLY:2500:3', 'ON_TIME:9999:0']);
      else expect(b.map((r) => `${r.pane.timing}:${r.timestamp}:${r.value.value}`)).toEqual(['EARLY:2500:2', 'ON_TIME:2000:1']);
    });
  });
});
