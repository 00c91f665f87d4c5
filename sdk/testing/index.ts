/**
 * Testing a pipeline: {@link TestStream} scripts element arrivals, watermark moves and processing-time
 * moves (on a {@link VirtualClock}), so early, on-time and late panes come out the same on every run
 * and runner; {@link Capture} collects a PCollection's outputs with their window, pane and timestamp.
 * `CommittedCapture` and the failpoints test exactly-once output across simulated crashes.
 * @example
 * const clicks = TestStream.create<string>()
 *   .addElements(['ann', 1_000], ['bob', 2_000])
 *   .advanceWatermarkTo(60_000)   // the minute [0, 60 s) fires ON_TIME
 *   .addElements(['cid', 30_000]) // after it fired: a LATE pane (within the allowed lateness)
 *   .advanceWatermarkToInfinity();
 * const panes = p.apply(clicks).apply(Window.into<string>(FixedWindows(60_000))
 *   .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
 *   .withAllowedLateness(30_000).accumulatingFiredPanes())
 *   .apply(Count.globally().withoutDefaults())
 *   .apply(Capture.records<number>());
 * await p.run();
 * panes.lines(); // ['[0,60000) ON_TIME #0 2', '[0,60000) LATE #1 3']
 * @module watershed/testing
 */
export * from './test-stream.js';
export * from './capture.js';
export { VirtualClock } from '../clock.js';
export * from './committed-capture.js';
export * from './failpoints.js';
