import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statefulDoFn } from '../../sdk/dofn.js';
import { UserCodeError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Generate } from '../../transforms/io/generate.js';
import { TextFile } from '../../transforms/io/text-file.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/**
 * Nothing lost: an element whose timestamp is not a valid instant (NaN, ±Infinity, beyond
 * TIMESTAMP_MIN..TIMESTAMP_MAX) cannot be windowed. Before, a source element with one went on: a
 * SlidingWindows assigned it no window (it vanished, counted nowhere), a FixedWindows failed the whole
 * run on it. Now a source's such elements go to the Read step's dead letters (`invalid-timestamp`),
 * and a timestamp function, `outputWithTimestamp` or a timer given one fail with an error naming the step.
 */
const BAD = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e20, -1e20, TIMESTAMP_MAX + 2, TIMESTAMP_MIN - 2];
/** Valid extremes: they are windowed and counted like any other instant. */
const EXTREME = [TIMESTAMP_MIN, -8.64e15, -1, 8.64e15, TIMESTAMP_MAX];

const countLines = (records: readonly { value: KV<string, number>; window: { id: string } }[]) => records.map((r) => `${r.value.key}=${r.value.value} ${r.window.id}`).sort();

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('invalid timestamps on $label', ({ options }) => {
  it.each([
    ['SlidingWindows', () => SlidingWindows(5000, 2000)],
    ['FixedWindows', () => FixedWindows(3000)],
  ] as const)('a source element with an invalid timestamp goes to the Read dead letters, not lost, the run goes on (%s)', async (_name, windowFn) => {
    const elements = [
      { value: 'ok', timestamp: 1000 },
      ...BAD.map((timestamp, i) => ({ value: `bad${i}`, timestamp })),
      ...EXTREME.map((timestamp, i) => ({ value: `edge${i}`, timestamp })),
    ];
    const { out, result } = await runWith(options, (p) => {
      const input = p.apply('Input', Create.timestamped(elements));
      const counts = input
        .apply(Window.into<string>(windowFn()))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>());
      return { counts: counts.apply('Counts', Capture.records()), dead: input.deadLetters().apply('Dead', Capture.records()) };
    });
    const dead = out.dead.values();
    expect(dead.map((d) => [d.step, d.reason, d.element])).toEqual(BAD.map((_t, i) => ['Input', 'invalid-timestamp', `bad${i}`]));
    expect(dead[0]!.message).toContain('NaN is not an instant');
    expect(result.metrics['Input']!.deadLettered).toBe(BAD.length);
    // every valid element is counted in every window it belongs to
    const seen = new Set(out.counts.records.map((r) => r.value.key));
    expect([...seen].sort()).toEqual(['edge0', 'edge1', 'edge2', 'edge3', 'edge4', 'ok']);
  });

  it('a columnar source (Generate) with invalid timestamps: the same dead letters, the valid elements all counted', async () => {
    const { out } = await runWith(options, (p) => {
      const input = p.apply('Gen', Generate.of({ count: 12, element: (i) => i, timestamp: (i) => (i % 4 === 1 ? Number.NaN : i % 4 === 2 ? 1e300 : i * 1000) }));
      const counts = input
        .apply(Window.into<number>(SlidingWindows(4000, 3000)))
        .apply(WithKeys(() => 'k'))
        .apply(Count.perKey<string>());
      return { counts: counts.apply('Counts', Capture.records()), dead: input.deadLetters().apply('Dead', Capture.records()) };
    });
    expect(out.dead.values().map((d) => d.element)).toEqual([1, 2, 5, 6, 9, 10]);
    expect(countLines(out.counts.records)).toEqual(['k=1 -3000:1000', 'k=1 9000:13000', 'k=2 0:4000', 'k=2 3000:7000', 'k=2 6000:10000']);
  });

  it('a TextFile line whose event time is not an instant: a dead letter with file and line; the watermark is not moved by it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'invalid-ts-')), 'in.ndjson');
    const lines = [{ id: 1, at: 1000 }, { id: 2, at: 1e20 }, { id: 3, at: 'soon' }, { id: 4, at: 1500 }, { id: 5, at: 2500 }];
    writeFileSync(path, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const { out, result } = await runWith(options, (p) => {
      const input = p.apply('File', TextFile.ndjson<{ id: number; at: number }>(path, { timestamp: (l) => Number(l.at), watermark: { maxOutOfOrderness: 0 } }));
      const counts = input.apply(Window.into<{ id: number }>(FixedWindows(1000))).apply(WithKeys(() => 'k')).apply(Count.perKey<string>());
      return { counts: counts.apply('Counts', Capture.records()), dead: input.deadLetters().apply('Dead', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
    });
    expect(out.dead.values().map((d) => [d.reason, d.origin, d.message])).toEqual([
      ['invalid-timestamp', { file: path, line: 2 }, 'the timestamp function returned 100000000000000000000 is not an instant in -9007199254740991..9007199254740991 ms'],
      ['invalid-timestamp', { file: path, line: 3 }, 'the timestamp function returned NaN is not an instant in -9007199254740991..9007199254740991 ms'],
    ]);
    expect(countLines(out.counts.records)).toEqual(['k=1 2000:3000', 'k=2 1000:2000']);
    expect(out.late.values()).toEqual([]);
    expect(result.metrics['File']!.deadLettered).toBe(2);
  });

  it('a TextFile timestamp function returning null (a JSON null field) is a dead letter, not the minimum timestamp (only undefined means none)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'invalid-ts-')), 'in.ndjson');
    writeFileSync(path, ['{"id":1,"at":1000}', '{"id":2,"at":null}', '{"id":3,"at":1500}'].join('\n') + '\n');
    const { out } = await runWith(options, (p) => {
      const input = p.apply('File', TextFile.ndjson<{ id: number; at: number }>(path, { timestamp: (l) => l.at }));
      const counts = input.apply(Window.into<{ id: number }>(FixedWindows(1000))).apply(WithKeys(() => 'k')).apply(Count.perKey<string>());
      return { counts: counts.apply('Counts', Capture.records()), dead: input.deadLetters().apply('Dead', Capture.records()) };
    });
    // Before: stamped TIMESTAMP_MIN and counted in a window near -inf.
    expect(out.dead.values().map((d) => [d.reason, d.origin, d.message])).toEqual([
      ['invalid-timestamp', { file: path, line: 2 }, 'the timestamp function returned object null is not an instant in -9007199254740991..9007199254740991 ms'],
    ]);
    expect(countLines(out.counts.records)).toEqual(['k=2 1000:2000']);
  });

  it('a TestStream element with a NaN timestamp goes to its dead letters; the watermark is not moved by it', async () => {
    const { out } = await runWith(options, (p) => {
      const input = p.apply('Script', TestStream.create<string>().addElements(['a', Number.NaN], ['b', 500]).advanceWatermarkTo(999).addElements(['c', 800]).advanceWatermarkToInfinity());
      const counts = input.apply(Window.into<string>(FixedWindows(1000))).apply(WithKeys(() => 'k')).apply(Count.perKey<string>());
      return { counts: counts.apply('Counts', Capture.records()), dead: input.deadLetters().apply('Dead', Capture.records()) };
    });
    expect(out.dead.values().map((d) => [d.reason, d.element])).toEqual([['invalid-timestamp', 'a']]);
    expect(countLines(out.counts.records)).toEqual(['k=2 0:1000']);
  });

  it('WithTimestamps returning NaN fails the run with a UserCodeError naming the step and the element (before: passed on)', async () => {
    const run = runWith(options, (p) =>
      p
        .apply(Create.timestamped([{ value: { at: 'yesterday' }, timestamp: 0 }]))
        .apply('Stamp', WithTimestamps((e: { at: unknown }) => Number(e.at)))
        .apply(Window.into<{ at: unknown }>(SlidingWindows(2000, 1000)))
        .apply(Capture.records()),
    );
    const err = await run.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Stamp');
    expect((err as UserCodeError).message).toMatch(/timestamp function.*yesterday.*returned NaN is not an instant/);
  });

  it('outputWithTimestamp(NaN) in a ParDo with dead letters: the element is dead-lettered, not sent on', async () => {
    const { out } = await runWith(options, (p) => {
      const parsed = p
        .apply(Create.timestamped([{ value: '5', timestamp: 0 }, { value: 'x', timestamp: 0 }]))
        .apply('Stamp', ParDo<string, string>({ process: (s, ctx) => ctx.outputWithTimestamp(s, Number(s) * 1000) }).withDeadLetters());
      return {
        ok: parsed.apply(Window.into<string>(SlidingWindows(2000, 1000))).apply('Ok', Capture.records()),
        dead: parsed.deadLetters().apply('Dead', Capture.records()),
      };
    });
    expect(out.ok.records.map((r) => `${r.value}@${r.timestamp} ${r.window.id}`).sort()).toEqual(['5@5000 4000:6000', '5@5000 5000:7000']);
    expect(out.dead.values().map((d) => [d.step, d.element, d.message])).toEqual([['Stamp', 'x', 'outputWithTimestamp got timestamp NaN is not an instant in -9007199254740991..9007199254740991 ms']]);
  });

  it('a timer set to NaN fails the element (before: a timer that never fires, silently)', async () => {
    const fn = statefulDoFn<KV<string, string>, string>()({
      timers: { t: TimerSpec.eventTime() },
      process(e, ctx) {
        ctx.timers.t.set(Number(e.value));
      },
      onTimer: {
        t(ctx) {
          ctx.output('fired');
        },
      },
    });
    const { out } = await runWith(options, (p) => {
      const res = p.apply(Create.timestamped([{ value: kv('k', '10'), timestamp: 0 }, { value: kv('j', 'never'), timestamp: 0 }])).apply('Timers', ParDo(fn).withDeadLetters());
      return { ok: res.apply('Ok', Capture.records()), dead: res.deadLetters().apply('Dead', Capture.records()) };
    });
    expect(out.ok.values()).toEqual(['fired']);
    expect(out.dead.values().map((d) => [d.step, d.message])).toEqual([['Timers', "timer 't': time NaN is not an instant in -9007199254740991..9007199254740991 ms"]]);
  });
});
