import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import { kv } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { MapElements } from '../../transforms/map.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { RUNNERS, RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

/** A bounded source replaying scripted polls; records how it was used. */
function scriptedSource<T>(name: string, script: readonly Omit<SourceBatch<T>, 'done'>[], log: string[] = []): Source<T> {
  return {
    name,
    bounded: true,
    async open(ctx) {
      log.push(`open ${ctx.step}`);
      let i = 0;
      return {
        async poll(): Promise<SourceBatch<T>> {
          const b = script[i++];
          if (!b) return { elements: [], watermark: Number.MAX_SAFE_INTEGER, done: true };
          return { ...b, done: i === script.length };
        },
        async close() {
          log.push('close');
        },
      };
    },
  };
}

const letter = (reason: string, element: unknown, timestamp?: number): DeadLetter => ({
  step: 'ReadEvents',
  reason,
  message: `cannot decode ${JSON.stringify(element)}`,
  element,
  ...(timestamp === undefined ? {} : { timestamp }),
  origin: { file: 'events.log', line: 7 },
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Read on $label', ({ options }) => {
  it('emits the elements of every batch with their timestamps, dead letters on deadLetters(), counted in metrics', async () => {
    const log: string[] = [];
    const src = scriptedSource<string>(
      'events',
      [
        { elements: [{ value: 'a', timestamp: 1000 }, { value: 'b', timestamp: 2000 }], watermark: 1000, deadLetters: [letter('malformed-json', '{oops', 1500)] },
        { elements: [], watermark: 2000, deadLetters: [letter('bad-encoding', 'xff', 2500), letter('malformed-json', '}', 2600)] },
        { elements: [{ value: 'c', timestamp: 3500 }], watermark: 3500 },
      ],
      log,
    );
    const { out, result } = await runWith(options, (p) => {
      const events = p.apply('ReadEvents', Read(src));
      return { main: events.apply('Main', Capture.records<string>()), dead: events.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    });
    expect(out.main.records.map((r) => [r.value, r.timestamp])).toEqual([
      ['a', 1000],
      ['b', 2000],
      ['c', 3500],
    ]);
    expect(out.dead.values()).toEqual([letter('malformed-json', '{oops', 1500), letter('bad-encoding', 'xff', 2500), letter('malformed-json', '}', 2600)]);
    expect(out.dead.records.map((r) => r.timestamp)).toEqual([1500, 2500, 2600]);
    expect(result.metrics['ReadEvents']).toMatchObject({ elementsIn: 3, elementsOut: 3, deadLettered: 3, lateDropped: 0 });
    expect(log).toEqual(['open ReadEvents', 'close']);
  });

  it('elements given by column come after the batch\'s element objects, in order, with their timestamps', async () => {
    const src = scriptedSource<string>('cols', [
      { elements: [{ value: 'a', timestamp: 1000 }], columns: { values: ['b', 'c'], timestamps: [2000, 3000] }, watermark: 1000 },
      { elements: [], columns: { values: ['d'], timestamps: Float64Array.of(4000) }, watermark: 4000 },
      { elements: [{ value: 'e', timestamp: 5000 }], watermark: 5000 },
    ]);
    const { out, result } = await runWith(options, (p) => p.apply('ReadCols', Read(src)).apply(Capture.records<string>()));
    expect(out.records.map((r) => [r.value, r.timestamp])).toEqual([
      ['a', 1000],
      ['b', 2000],
      ['c', 3000],
      ['d', 4000],
      ['e', 5000],
    ]);
    expect(result.metrics['ReadCols']).toMatchObject({ elementsIn: 5, elementsOut: 5 });
  });

  it('the default step name is Read(<source name>)', async () => {
    const { result, out } = await runWith(options, (p) => p.apply(Read(scriptedSource<number>('nums', [{ elements: [{ value: 1, timestamp: 5 }], watermark: 5 }]))).apply(Capture.records<number>()));
    expect(out.values()).toEqual([1]);
    expect(Object.keys(result.metrics)).toContain('Read(nums)');
    expect(result.metrics['Read(nums)']!.elementsOut).toBe(1);
  });

  it('a source error rejects the run with that error and still closes the reader', async () => {
    let closed = false;
    const src: Source<number> = {
      name: 'broken',
      bounded: true,
      async open() {
        let n = 0;
        return {
          async poll(): Promise<SourceBatch<number>> {
            if (n++ === 0) return { elements: [{ value: 1, timestamp: 0 }], watermark: 0, done: false };
            throw new Error('disk gone');
          },
          async close() {
            closed = true;
          },
        };
      },
    };
    await expect(runWith(options, (p) => p.apply(Read(src)).apply(Capture.records<number>()))).rejects.toThrow('disk gone');
    expect(closed).toBe(true);
  });

  it('a source that fails to open rejects the run with its error', async () => {
    const src: Source<number> = {
      name: 'unreachable',
      bounded: true,
      async open() {
        throw new Error('connection refused');
      },
    };
    await expect(runWith(options, (p) => p.apply(Read(src)).apply(Capture.records<number>()))).rejects.toThrow('connection refused');
  });
});

describe.each(RUNNERS)('Read watermarks on $label', ({ options }) => {
  it("the source's watermark closes windows: data behind it after the window fired is dropped as late", async () => {
    // The late element arrives in a later poll, after more than one batch interval, so every runner
    // has moved the watermark to 4000 (and fired [0,3000)) before it sees it.
    const src: Source<string> = {
      name: 'slow',
      bounded: true,
      async open() {
        const opened = Date.now();
        let step = 0;
        return {
          async poll(_max, maxWaitMs): Promise<SourceBatch<string>> {
            if (step === 0) {
              step++;
              return { elements: [{ value: 'a', timestamp: 100 }, { value: 'a', timestamp: 2900 }, { value: 'b', timestamp: 3100 }], watermark: 4000, done: false };
            }
            if (step === 1) {
              const wait = opened + 1500 - Date.now();
              if (wait > 0) {
                await new Promise((r) => setTimeout(r, Math.min(wait, maxWaitMs)));
                return { elements: [], watermark: 4000, done: false };
              }
              step++;
              return { elements: [{ value: 'a', timestamp: 500 }, { value: 'b', timestamp: 4500 }], watermark: 5000, done: false };
            }
            return { elements: [], watermark: 5000, done: true };
          },
          async close() {},
        };
      },
    };
    const { out, result } = await runWith(options, (p) => {
      const counted = p
        .apply('ReadSlow', Read(src))
        .apply(Window.into(FixedWindows(3000)))
        .apply('Key', MapElements((s: string) => kv(s, 1)))
        .apply(Count.perKey());
      return { counts: counted.apply('Counts', Capture.records()), late: counted.lateData().apply('Late', Capture.records()) };
    });
    expect(out.counts.lines({ sorted: true })).toEqual([
      '[0,3000) ON_TIME #0 last {"key":"a","value":2}',
      '[3000,6000) ON_TIME #0 last {"key":"b","value":2}',
    ]);
    expect(out.late.values()).toEqual([{ step: 'Count.perKey', value: { key: 'a', value: 1 }, timestamp: 500, window: '[1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z)', reason: 'past-allowed-lateness' }]);
    expect(result.metrics['Count.perKey']!.lateDropped).toBe(1);
    expect(result.metrics['ReadSlow']!.elementsIn).toBe(5);
  });
});
