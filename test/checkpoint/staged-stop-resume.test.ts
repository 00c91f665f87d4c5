import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult, PipelineRun } from '../../sdk/runner.js';
import { StateSpec } from '../../sdk/state.js';
import { CommittedCapture, CommittedStore } from '../../sdk/testing/committed-capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Generate } from '../../transforms/io/generate.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNERS } from '../support/runners.js';

/**
 * Stop and resume of a run at `--parallelism` above 1 through the runners' loops and the checkpoint
 * coordinator (design: docs/design/scale-out.md §6 step 5), on both runners: a run stopped at N and
 * resumed at M (N, M in 1..4, rescaling included) commits exactly what an uninterrupted run at 1
 * commits, and its counters are the uninterrupted run's. The keyed steps (a Count and a stateful ParDo)
 * run N instances; the exactly-once sinks sit behind a second keyed step, in stages of one instance.
 */

const tmp = () => join(mkdtempSync(join(tmpdir(), 'watershed-staged-stop-')), 'ck');
const SMALL = { maxBatchSize: 500, bundleSize: 250, bufferSize: 500 } as const;
const COUNT = 20_000;

/** A running count per key (keyed state that crosses the checkpoint). */
const running = statefulDoFn({
  state: { n: StateSpec.value<number>() },
  process(e: KV<string, number>, ctx) {
    const n = (ctx.state.n.read() ?? 0) + 1;
    ctx.state.n.write(n);
    return kv(e.key, n % 1000 === 0 ? 1 : 0);
  },
});

/** Element i at event time i ms, keys k0..k10: counts per key and 1 s window, and per key how many times its running count hit a multiple of 1000. */
function build(p: Pipeline, counts: CommittedStore<unknown>, marks: CommittedStore<unknown>, onElement: (i: number) => void = () => {}): void {
  const keyed = p
    .apply('Gen', Generate.of({ count: COUNT, element: (i) => i, timestamp: (i) => i }))
    .apply('Watch', MapElements((i: number) => (onElement(i), i)))
    .apply('Window', Window.into<number>(FixedWindows(1000)))
    .apply('Keyed', WithKeys((i: number) => `k${i % 11}`));
  keyed
    .apply('Count', Count.perKey<string>())
    .apply('Total', Sum.perKey<string>())
    .apply('Out', CommittedCapture.records(counts as CommittedStore<never>));
  keyed
    .apply('Running', ParDo(running))
    .apply('Marks', Sum.perKey<string>())
    .apply('MarksOut', CommittedCapture.records(marks as CommittedStore<never>));
}

async function stoppedAt(options: Partial<PipelineOptions>, at: number, counts: CommittedStore<unknown>, marks: CommittedStore<unknown>): Promise<PipelineResult> {
  const p = Pipeline.create(options);
  let run: PipelineRun | undefined;
  build(p, counts, marks, (i) => {
    if (i === at) void run!.stop!({});
  });
  run = p.start();
  return run.done;
}

describe.each(RUNNERS)('stop at parallelism N, resume at M, on $label', ({ options }) => {
  const uninterrupted = async () => {
    const counts = new CommittedStore<unknown>();
    const marks = new CommittedStore<unknown>();
    const p = Pipeline.create({ ...options, ...SMALL });
    build(p, counts, marks);
    return { result: await p.run(), counts: counts.lines({ sorted: true }), marks: marks.lines({ sorted: true }) };
  };

  for (const [n, m] of [
    [3, 3],
    [3, 2],
    [1, 4],
    [4, 1],
  ] as const) {
    it(`${n} -> ${m}: the committed output and the counters equal an uninterrupted run's`, async () => {
      const expected = await uninterrupted();
      expect(expected.counts.length).toBe(20 * 11);
      const counts = new CommittedStore<unknown>();
      const marks = new CommittedStore<unknown>();
      const ck = { ...options, ...SMALL, checkpointDir: tmp(), checkpointInterval: 3_600_000 };
      const stopped = await stoppedAt({ ...ck, parallelism: n }, 7_000, counts, marks);
      expect(stopped.state).toBe('STOPPED');
      expect(stopped.checkpoints!.taken.map((t) => t.kind)).toEqual(['final']);
      expect(stopped.metrics['Gen']!.elementsIn).toBeLessThan(COUNT);
      expect(counts.records.length).toBeLessThan(expected.counts.length);

      const p2 = Pipeline.create({ ...ck, parallelism: m });
      build(p2, counts, marks);
      const resumed = await p2.run();
      expect(resumed.state).toBe('DONE');
      expect(resumed.checkpoints!.restoredFrom).toMatchObject({ kind: 'final' });
      expect(counts.lines({ sorted: true })).toEqual(expected.counts);
      expect(marks.lines({ sorted: true })).toEqual(expected.marks);
      expect(resumed.metrics).toEqual(expected.result.metrics);
    }, 60_000);
  }
});
