import { describe, expect, it } from 'vitest';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import type { IntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Batches far larger than a column chunk: a micro-batch aggregation may take its input a chunk at a
 * time while the batch is gathered (when its late records go nowhere and its trigger reads no clock).
 * Results, late drops and pane timing must be the same as when it takes the batch at its end.
 */
const N = 10_000;
const input = TestStream.create<number>()
  .addElements(...Array.from({ length: N }, (_, i) => ({ value: i, timestamp: i })))
  .advanceWatermarkTo(20_000)
  // half behind the watermark (window [0, 3000) has fired: dropped), half on time
  .addElements(...Array.from({ length: N }, (_, i) => ({ value: i, timestamp: i % 2 === 0 ? 500 : 25_000 + i })))
  .advanceWatermarkToInfinity();

function expectedCounts(): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (ts: number, key: number) => {
    const id = `${Math.floor(ts / 3000) * 3000}|${key}`;
    out[id] = (out[id] ?? 0) + 1;
  };
  for (let i = 0; i < N; i++) add(i, i % 5);
  for (let i = 1; i < N; i += 2) add(25_000 + i, i % 5);
  return out;
}

function counts(records: readonly { value: unknown; window: unknown; pane: { timing: string } }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of records) {
    expect(r.pane.timing).toBe('ON_TIME');
    const v = r.value as KV<number, number>;
    out[`${(r.window as IntervalWindow).start}|${v.key}`] = v.value;
  }
  return out;
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('large batches on $label', ({ options }) => {
  it('Count.perKey: the same counts and late drops whether or not late records are read', async () => {
    for (const readLate of [false, true]) {
      const { out, result } = await runWith(options, (p) => {
        const counted = p
          .apply('Events', input)
          .apply(Window.into(FixedWindows(3000)))
          .apply('Key', MapElements((i: number) => kv(i % 5, i)))
          .apply('Count', Count.perKey());
        return { counts: counted.apply('Counts', Capture.records()), late: readLate ? counted.lateData().apply('Late', Capture.records()) : undefined };
      });
      expect(counts(out.counts.records)).toEqual(expectedCounts());
      expect(result.metrics['Count']!.lateDropped).toBe(N / 2);
      expect(result.metrics['Count']!.elementsIn).toBe(2 * N);
      if (out.late) expect(out.late.records.length).toBe(N / 2);
    }
  });

  it('GroupByKey keeps every value of a large batch, in arrival order', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply('Events', input)
        .apply(Window.into(FixedWindows(3000)))
        .apply('Key', MapElements((i: number) => kv(i % 5, i)))
        .apply(GroupByKey<number, number>())
        .apply(Capture.records()),
    );
    const first = out.records.find((r) => (r.window as IntervalWindow).start === 0 && (r.value as KV<number, number[]>).key === 1)!;
    expect((first.value as KV<number, number[]>).value).toEqual(Array.from({ length: 600 }, (_, j) => 1 + 5 * j));
  });

  it('one element fanned out to more records than a crossing chunk (8192) keeps them all, in order within a key, across stages', async () => {
    const M = 20_000;
    const { out } = await runWith(options, (p) =>
      p
        .apply(Create([kv('hot', 0), kv('other', 1)]))
        .apply(
          'FanOut',
          ParDo<KV<string, number>, KV<string, number>>({
            process(e, ctx) {
              for (let i = 0; i < M; i++) ctx.output(kv(i % 7 === 0 ? e.key + i % 3 : e.key, i));
            },
          }),
        )
        .apply(GroupByKey<string, number>())
        .apply(Capture.records()),
    );
    const groups = Object.fromEntries(out.records.map((r) => [(r.value as KV<string, number[]>).key, (r.value as KV<string, number[]>).value]));
    const expected: Record<string, number[]> = {};
    for (const key of ['hot', 'other']) for (let i = 0; i < M; i++) (expected[i % 7 === 0 ? key + (i % 3) : key] ??= []).push(i);
    expect(groups).toEqual(expected);
  });
});
