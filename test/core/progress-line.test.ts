import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sdk/clock.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { BatchLog } from '../../runners/monitoring/batch-log.js';
import { consoleObservers } from '../../runners/monitoring/console-observers.js';
import { compactCount, shortDuration, shortWatermark } from '../../runners/monitoring/format.js';
import { ProgressLine } from '../../runners/monitoring/progress-line.js';
import { RateMeter } from '../../runners/monitoring/run-totals.js';
import { RUNNERS } from '../support/runners.js';

/**
 * 10 s of processing time from 20 s on the clock, 1 s per step, 100 elements a step, each 5 s old,
 * the watermark at the newest event time.
 */
function tenSeconds(): TestStream<string> {
  let s = TestStream.create<string>();
  for (let i = 0; i < 10; i++) {
    const t = 15_000 + i * 1000;
    s = s.addElements(...Array.from({ length: 100 }, (_, k) => [`k${k % 4}`, t] as [string, number])).advanceWatermarkTo(t).advanceProcessingTime(1000);
  }
  return s.advanceWatermarkToInfinity();
}

describe.each(RUNNERS)('the progress line on $label', ({ options }) => {
  it('on a terminal: one line redrawn in place with records in and out, rates, watermark and lag; erased at the end', async () => {
    let text = '';
    const line = new ProgressLine({ write: (t) => void (text += t), mode: 'live', columns: () => 200 });
    const p = Pipeline.create({ ...options, clock: new VirtualClock(20_000), observers: [line] });
    p.apply('Events', tenSeconds())
      .apply('Fixed', Window.into(FixedWindows(1000)))
      .apply('Key', WithKeys((s: string) => s))
      .apply('Count', Count.perKey())
      .apply('Out', Capture.records());
    await p.run();
    const frames = text.split('\r').filter((f) => f.includes(' in '));
    expect(frames.length).toBeGreaterThanOrEqual(5);
    expect(text).not.toContain('\n');
    expect(text.endsWith('\r\x1b[K')).toBe(true);
    const mid = frames[4]!;
    expect(mid).toMatch(new RegExp(`^\\[${options.runner}\\] \\d`));
    expect(mid).toMatch(/ in \d+ \(\d+\/s\)  out \d+/);
    // the watermark trails the clock by the events' age, 5 s (plus up to a step)
    expect(mid).toMatch(/wm 1970-01-01 00:00:\d\d lag [5-7]\.\ds/);
    if (options.runner === 'microbatch') expect(mid).toMatch(/batch \d+/);
    const ins = frames.map((f) => / in ([\d.]+)(k?) /.exec(f)).map((m) => Number(m![1]) * (m![2] ? 1000 : 1));
    expect(ins[ins.length - 1]).toBeGreaterThan(ins[0]!);
    expect(frames.some((f) => / in \d+ \(100\/s\)/.test(f))).toBe(true); // 100 elements per second of the clock
  });

  it('for bounded input: the share read and the time left', async () => {
    let text = '';
    const clock = new VirtualClock(0);
    const line = new ProgressLine({ write: (t) => void (text += t), mode: 'plain', afterMs: 0, plainEveryMs: 0 });
    // Small polls, buffers and batches: the source cannot read far ahead of the pipeline.
    const p = Pipeline.create({ ...options, clock, bundleSize: 5, bufferSize: 5, maxBatchSize: 5, observers: [line] });
    // The clock moves 100 ms per element: a steady 10 elements per second.
    p.apply('Numbers', Create(Array.from({ length: 50 }, (_, i) => i))).apply('Tick', WithKeys((n: number) => (clock.advanceBy(100), n)));
    await p.run();
    const lines = text.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/ 100%/);
    expect(lines.some((l) => / \d{1,2}% ETA \d+(\.\d)?s/.test(l))).toBe(true);
  });
});

describe('the console observers', () => {
  const tty = { isTTY: true, columns: 80, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  it('a live line on a terminal, nothing on a pipe unless --progress asks for plain lines, nothing with --quiet', () => {
    expect(consoleObservers({ progress: false, quiet: false }, tty)).toEqual([expect.any(ProgressLine)]);
    expect(consoleObservers({ progress: false, quiet: false }, pipe)).toEqual([]);
    // plain lines: the progress every 5 s, and one line per micro-batch
    expect(consoleObservers({ progress: true, quiet: false }, pipe)).toEqual([expect.any(ProgressLine), expect.any(BatchLog)]);
    expect(consoleObservers({ progress: true, quiet: true }, tty)).toEqual([]);
    expect(consoleObservers({ progress: true, quiet: true }, pipe)).toEqual([expect.any(BatchLog)]); // asked for by name
    expect(consoleObservers({ progress: false, quiet: true }, tty)).toEqual([]);
  });
});

describe('progress formatting', () => {
  it('counts, durations and watermarks in a few characters', () => {
    expect([950, 12_345, 4_560_000, 1.2e9].map(compactCount)).toEqual(['950', '12.3k', '4.56M', '1.20G']);
    expect([850, 3210, 312_000, 7_380_000, 3 * 86_400_000 + 4 * 3_600_000].map(shortDuration)).toEqual(['850ms', '3.2s', '5m12s', '2h03m', '3d04h']);
    expect(shortWatermark(Date.UTC(2024, 0, 2, 3, 4, 5))).toBe('2024-01-02 03:04:05');
    expect(shortWatermark(undefined)).toBe('–');
  });

  it('a rate over the last seconds of the run\'s clock', () => {
    const m = new RateMeter(2000);
    expect(m.perSecond()).toBeUndefined();
    m.add(0, 0);
    m.add(1000, 100);
    expect(m.perSecond()).toBe(100);
    m.add(2000, 1100);
    m.add(3000, 2100);
    expect(m.perSecond()).toBe(1000); // the slow first second has left the window
  });
});

describe('the batch log (--progress on a pipe)', () => {
  it('writes one line per micro-batch, marking batches replayed from the offset log', () => {
    const lines: string[] = [];
    const log = new BatchLog((t) => lines.push(t));
    const batch = (batchId: number, replayed?: boolean) => ({ batchId, inputRows: 10 * batchId, durationMs: 3, watermark: Date.UTC(2024, 0, 1), startedAt: 0, ...(replayed ? { replayed } : {}) });
    log.sample({ at: 0, steps: [], batches: [batch(1, true), batch(2)], checkpoints: [], examples: [] } as never);
    expect(lines).toEqual([
      '[microbatch] batch 1: 10 rows in 3 ms, watermark 2024-01-01T00:00:00.000Z (replayed from the offset log)\n',
      '[microbatch] batch 2: 20 rows in 3 ms, watermark 2024-01-01T00:00:00.000Z\n',
    ]);
  });
});
