import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChannelError, createChannel, type ChannelMessage, type ChannelProblem } from '../../runners/core/exchange/channel.js';
import { inGlobalWindow, type WindowedValue } from '../../sdk/windowed-value.js';

const values = (...xs: number[]): WindowedValue<number>[] => xs.map((x) => inGlobalWindow(x, x));
/** Lets promise reactions run (a resolved promise's `then` callbacks). */
const settle = () => new Promise<void>((r) => setImmediate(r));

function problemOf(f: () => unknown): ChannelProblem | 'no error' {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChannelError);
    return (e as ChannelError).problem;
  }
  return 'no error';
}

type Op = { kind: 'write'; n: number } | { kind: 'watermark' } | { kind: 'read' } | { kind: 'end' };

describe('exchange channel', () => {
  it('delivers every message in write order, is full exactly at capacity, and releases the writer when a read brings it below (random operations)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(
          fc.oneof(
            { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), n: fc.integer({ min: 0, max: 5 }) }) },
            { weight: 2, arbitrary: fc.record({ kind: fc.constant('watermark' as const) }) },
            { weight: 5, arbitrary: fc.record({ kind: fc.constant('read' as const) }) },
            { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const) }) },
          ),
          { maxLength: 60 },
        ),
        async (capacity, ops) => {
          const ch = createChannel<number>(capacity);
          const written: ChannelMessage<number>[] = [];
          const read: ChannelMessage<number>[] = [];
          let next = 0;
          let wm = 0;
          let ended = false;
          /** The promise of the last write that filled the channel, and whether it resolved. */
          let waiting: { resolved: boolean } | undefined;
          const unreadRecords = () => written.slice(read.length).reduce((n, m) => n + (m.kind === 'data' ? m.values.length : 0), 0);
          for (const op of ops) {
            if (op.kind === 'write') {
              const batch = values(...Array.from({ length: op.n }, () => next++));
              if (ended) expect(problemOf(() => ch.write(batch))).toBe('ended');
              else if (unreadRecords() >= capacity) expect(problemOf(() => ch.write(batch))).toBe('full');
              else {
                const p = ch.write(batch);
                if (op.n > 0) written.push({ kind: 'data', values: batch });
                expect(p !== undefined).toBe(unreadRecords() >= capacity);
                if (p) {
                  const w = { resolved: false };
                  waiting = w;
                  void p.then(() => (w.resolved = true));
                }
              }
            } else if (op.kind === 'watermark') {
              const status = { watermark: wm++, idle: wm % 3 === 0 };
              if (ended) expect(problemOf(() => ch.writeWatermark(status))).toBe('ended');
              else {
                ch.writeWatermark(status);
                written.push({ kind: 'watermark', status });
              }
            } else if (op.kind === 'end') {
              if (ended) expect(problemOf(() => ch.end())).toBe('ended');
              else {
                ch.end();
                ended = true;
                written.push({ kind: 'end' });
              }
            } else {
              const m = ch.read();
              if (read.length < written.length) {
                expect(m).toEqual(written[read.length]);
                read.push(m!);
              } else if (read.at(-1)?.kind === 'end') expect(m).toEqual({ kind: 'end' });
              else expect(m).toBeUndefined();
            }
            await settle();
            expect(ch.size).toBe(unreadRecords());
            expect(ch.full).toBe(unreadRecords() >= capacity);
            expect(ch.ended).toBe(ended);
            expect(ch.done).toBe(read.at(-1)?.kind === 'end');
            // The writer's promise resolves exactly when there is room again.
            if (waiting) expect(waiting.resolved).toBe(!ch.full);
            expect(ch.whenReadable() === undefined).toBe(read.length < written.length || ch.done);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('tells a writer to wait with a promise when a write fills it, refuses data until room is made, and never blocks statuses', async () => {
    const ch = createChannel<number>(3);
    expect(ch.write(values(1, 2))).toBeUndefined();
    const wait = ch.write(values(3));
    expect(wait).toBeInstanceOf(Promise);
    expect(ch.full).toBe(true);
    expect(problemOf(() => ch.write(values(4)))).toBe('full');
    ch.writeWatermark({ watermark: 3, idle: false });
    let resumed = false;
    void wait!.then(() => (resumed = true));
    await settle();
    expect(resumed).toBe(false);
    expect(ch.read()).toEqual({ kind: 'data', values: values(1, 2) });
    await settle();
    expect(resumed).toBe(true);
    // A batch larger than the capacity is taken whole on a channel with room.
    const big = createChannel<number>(2);
    expect(big.write(values(1, 2, 3, 4, 5))).toBeInstanceOf(Promise);
    expect(big.size).toBe(5);
    expect(big.read()).toEqual({ kind: 'data', values: values(1, 2, 3, 4, 5) });
    expect(big.size).toBe(0);
  });

  it('keeps data and statuses in order and ends with a marker that stays', async () => {
    const ch = createChannel<number>(100);
    expect(ch.read()).toBeUndefined();
    const readable = ch.whenReadable();
    expect(readable).toBeInstanceOf(Promise);
    ch.write(values(1));
    await readable;
    ch.writeWatermark({ watermark: 1, idle: false });
    ch.write(values(2, 3));
    ch.writeWatermark({ watermark: 3, idle: true });
    expect(ch.write([])).toBeUndefined();
    ch.end();
    expect(problemOf(() => ch.write(values(4)))).toBe('ended');
    expect(problemOf(() => ch.writeWatermark({ watermark: 4, idle: false }))).toBe('ended');
    expect(problemOf(() => ch.end())).toBe('ended');
    const got: ChannelMessage<number>[] = [];
    for (let m = ch.read(); m && m.kind !== 'end'; m = ch.read()) got.push(m);
    expect(got).toEqual([
      { kind: 'data', values: values(1) },
      { kind: 'watermark', status: { watermark: 1, idle: false } },
      { kind: 'data', values: values(2, 3) },
      { kind: 'watermark', status: { watermark: 3, idle: true } },
    ]);
    expect(ch.done).toBe(true);
    expect(ch.read()).toEqual({ kind: 'end' });
    expect(ch.whenReadable()).toBeUndefined();
  });

  it('stays in order over many more messages than it holds at once', () => {
    const ch = createChannel<number>(10);
    const seen: number[] = [];
    for (let i = 0; i < 5000; i++) {
      ch.write(values(i));
      if (i % 3 === 2) for (let m = ch.read(); m; m = ch.read()) if (m.kind === 'data') seen.push(...m.values.map((v) => v.value));
    }
    for (let m = ch.read(); m; m = ch.read()) if (m.kind === 'data') seen.push(...m.values.map((v) => v.value));
    expect(seen).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('refuses a capacity that is not an integer of at least 1', () => {
    expect(problemOf(() => createChannel(0))).toBe('capacity');
    expect(problemOf(() => createChannel(2.5))).toBe('capacity');
    expect(problemOf(() => createChannel(Number.NaN))).toBe('capacity');
  });
});
