import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sdk/clock.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineOptions } from '../../sdk/options.js';
import type { RunEnd, RunObserver, RunSample, RunStart } from '../../sdk/run-observer.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { oneInstance, RUNNER_CONFIGS_WITH_PARALLELISM } from '../support/runners.js';

/** Keeps everything it is told. */
class Recorder implements RunObserver {
  readonly starts: RunStart[] = [];
  readonly samples: RunSample[] = [];
  readonly ends: RunEnd[] = [];
  constructor(readonly sampleEveryMs?: number) {}
  started(r: RunStart): void {
    this.starts.push(r);
  }
  sample(s: RunSample): void {
    this.samples.push(s);
  }
  finished(e: RunEnd): void {
    this.ends.push(e);
  }
}

/**
 * A TestStream over 4 s of processing time: on-time words, one record late for a closed window
 * (`late`), and one word a ParDo with dead letters fails on (`bad`).
 */
function build(p: Pipeline): void {
  const words = p.apply(
    'Words',
    TestStream.create<string>()
      .addElements(['a', 100], ['b', 200])
      .advanceProcessingTime(1000)
      .addElements(['a', 2900], ['bad', 2950])
      .advanceWatermarkTo(3000)
      .advanceProcessingTime(1000)
      .addElements(['late', 100], ['a', 3100])
      .advanceProcessingTime(1000)
      .advanceWatermarkToInfinity(),
  );
  words
    .apply('Fixed', Window.into(FixedWindows(3000)))
    .apply('Key', WithKeys((s: string) => s))
    .apply('Count', Count.perKey())
    .apply('Out', Capture.records());
  words
    .apply('Check', ParDo<string, string>({ process: (w, ctx) => (w === 'bad' ? (() => { throw new Error('no bad words'); })() : ctx.output(w)) }).withDeadLetters())
    .apply('Checked', Capture.records());
}

async function observe(options: Partial<PipelineOptions>, ...observers: RunObserver[]): Promise<{ p: Pipeline; result: PipelineResult }> {
  const p = Pipeline.create({ ...options, observers });
  build(p);
  return { p, result: await p.run() };
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('run observers on $label', ({ options }) => {
  it('get the graph at the start, samples on the run\'s clock, and a last sample equal to the result', async () => {
    const rec = new Recorder(500);
    const { p, result } = await observe(options, rec);
    expect(rec.starts).toHaveLength(1);
    const start = rec.starts[0]!;
    expect(start.runner).toBe(result.runner);
    expect(start.virtualClock).toBe(true);
    const primitives = p.graph().primitives.map((n) => n.fullName);
    expect(start.graph.map((g) => g.step)).toEqual(primitives);
    expect(start.graph.find((g) => g.step === 'Words')).toMatchObject({ kind: 'read', inputs: [], bounded: true });
    const gbk = start.graph.find((g) => g.kind === 'combine' || g.kind === 'gbk')!;
    expect(gbk.step.startsWith('Count')).toBe(true);

    // Processing time moves 3 s in steps of 1 s: samples come between, and a last one at the end.
    expect(rec.samples.length).toBeGreaterThanOrEqual(3);
    const ats = rec.samples.map((s) => s.at);
    expect([...ats].sort((a, b) => a - b)).toEqual(ats);
    const last = rec.samples[rec.samples.length - 1]!;
    for (const [step, m] of Object.entries(result.metrics)) {
      const s = last.steps.find((x) => x.step === step)!;
      expect({ step, in: s.elementsIn, out: s.elementsOut, late: s.lateDropped, dead: s.deadLettered }).toEqual({ step, in: m.elementsIn, out: m.elementsOut, late: m.lateDropped, dead: m.deadLettered });
    }
    // Counters moved between samples (not all arrived in the last one).
    const wordsIn = rec.samples.map((s) => s.steps.find((x) => x.step === 'Words')!.elementsIn);
    expect(wordsIn[0]).toBeLessThan(wordsIn[wordsIn.length - 1]!);
    expect(last.steps.find((x) => x.step === 'Words')).toMatchObject({ done: true, capacity: expect.any(Number) });

    expect(rec.ends).toEqual([{ state: 'DONE', at: result.finishedAt, result }]);
  });

  it('see the latest late and dead-lettered records as short JSON examples', async () => {
    const rec = new Recorder();
    await observe(options, rec);
    const examples = rec.samples.flatMap((s) => s.examples);
    expect(examples.filter((e) => e.kind === 'late').map((e) => [e.step.split('/')[0], JSON.parse(e.text).value.key])).toEqual([['Count', 'late']]);
    // why first (a long record is cut at the end)
    expect(examples.find((e) => e.kind === 'late')!.text).toMatch(/^\{"step":"Count[^"]*","reason":"(window-closed|past-allowed-lateness)","window":"\[1970-01-01T00:00:00\.000Z, 1970-01-01T00:00:03\.000Z\)","timestamp":100,"value":/);
    const dead = examples.filter((e) => e.kind === 'deadLetter');
    expect(dead.map((e) => e.step)).toEqual(['Check']);
    expect(JSON.parse(dead[0]!.text)).toMatchObject({ step: 'Check', reason: 'user-code', message: 'no bad words', element: 'bad' });
  });

  it('are sampled by the clock, not per element: 20,000 elements on a clock that stands still make only the first and the last sample', async () => {
    const rec = new Recorder();
    const p = Pipeline.create({ ...options, clock: new VirtualClock(0), observers: [rec] });
    p.apply('Numbers', Create(Array.from({ length: 20_000 }, (_, i) => i))).apply('Out', Capture.records());
    await p.run();
    expect(rec.samples).toHaveLength(2);
    expect(rec.samples[0]!.steps.find((s) => s.step === 'Numbers')).toMatchObject({ elementsIn: 0, done: false });
    expect(rec.samples[1]!.steps.find((s) => s.step === 'Numbers')).toMatchObject({ elementsIn: 20_000, done: true, progress: { done: 20_000, total: 20_000 } });
  });

  it('an observer that throws is dropped and the run goes on', async () => {
    const bad: RunObserver = {
      sample: () => {
        throw new Error('observer bug');
      },
    };
    const rec = new Recorder();
    const { result } = await observe(options, bad, rec);
    expect(result.state).toBe('DONE');
    expect(rec.ends.map((e) => e.state)).toEqual(['DONE']);
  });

  it('learn that a run failed, and why', async () => {
    const rec = new Recorder();
    const p = Pipeline.create({ ...options, observers: [rec] });
    p.apply('Words', TestStream.create<string>().addElements(['boom', 1]).advanceWatermarkToInfinity()).apply(
      'Explode',
      ParDo<string, string>({
        process: () => {
          throw new Error('kaput');
        },
      }),
    );
    await expect(p.run()).rejects.toThrow(/kaput/);
    expect(rec.ends).toHaveLength(1);
    expect(rec.ends[0]).toMatchObject({ state: 'FAILED', error: expect.stringMatching(/UserCodeError.*Explode.*kaput/s) });
  });

  // Parallelism 1 only: checkpoints are refused above 1 until design step 5.
  it.runIf(oneInstance(options))('see each checkpoint with its size, duration and outcome', async () => {
    const rec = new Recorder();
    const dir = mkdtempSync(join(tmpdir(), 'observed-ck-'));
    const p = Pipeline.create({ ...options, checkpointDir: dir, checkpointInterval: 1000, guarantee: 'at-least-once', observers: [rec] });
    build(p);
    const result = await p.run();
    const seen = rec.samples.flatMap((s) => s.checkpoints);
    expect(seen.map((c) => ({ seq: c.seq, kind: c.kind, bytes: c.bytes, outcome: c.outcome }))).toEqual(
      result.checkpoints!.taken.map((t) => ({ seq: t.seq, kind: t.kind, bytes: t.bytes, outcome: 'completed' })),
    );
    expect(seen.length).toBeGreaterThanOrEqual(2); // periodic ones on the virtual clock, and the final one
    expect(seen[seen.length - 1]!.kind).toBe('finished');
    for (const c of seen) expect(c.durationMs).toBeGreaterThanOrEqual(0);
  });

  if (options.runner === 'microbatch') {
    it('get every micro-batch once', async () => {
      const rec = new Recorder();
      const { result } = await observe(options, rec);
      expect(rec.samples.flatMap((s) => s.batches)).toEqual(result.batches);
      expect(result.batches!.length).toBeGreaterThan(0);
    });
  }
});
