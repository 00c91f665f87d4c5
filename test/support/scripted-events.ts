import { TestStream } from '../../sdk/testing/test-stream.js';

/**
 * Event scripts for property tests: random events, and random watermark moves between them, as a
 * TestStream. A watermark move is `[position, watermark]`: the watermark advances just before event
 * `position` (a position equal to the number of events: after the last one).
 * @example scriptedEvents(events, monotoneWatermarks(wmPositions, events.length, 0))
 */

/**
 * Makes fast-check's raw `[n, watermark]` pairs a valid script for `eventCount` events: positions
 * taken modulo `eventCount + 1` and sorted, each watermark raised to the highest one before it (and
 * to at least `floor`), so the watermark never moves back.
 */
export function monotoneWatermarks(wmPositions: readonly (readonly [number, number])[], eventCount: number, floor: number): [number, number][] {
  const wms = wmPositions.map(([pos, wm]) => [pos % (eventCount + 1), wm] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hi = floor;
  return wms.map(([pos, wm]) => {
    hi = Math.max(hi, wm);
    return [pos, hi] as [number, number];
  });
}

/**
 * A TestStream of `events`, each at its own `ts`, with the `watermarks` moves (sorted by position)
 * between them, then the watermark to infinity. `afterEach(s, i)`, when given, extends the stream
 * after event `i` (e.g. to advance processing time).
 */
export function scriptedEvents<E extends { readonly ts: number }>(
  events: readonly E[],
  watermarks: readonly (readonly [number, number])[],
  afterEach?: (s: TestStream<E>, i: number) => TestStream<E>,
): TestStream<E> {
  let s = TestStream.create<E>();
  let w = 0;
  events.forEach((e, i) => {
    while (w < watermarks.length && watermarks[w]![0] === i) s = s.advanceWatermarkTo(watermarks[w++]![1]);
    s = s.addElements([e, e.ts]);
    if (afterEach) s = afterEach(s, i);
  });
  while (w < watermarks.length) s = s.advanceWatermarkTo(watermarks[w++]![1]);
  return s.advanceWatermarkToInfinity();
}
