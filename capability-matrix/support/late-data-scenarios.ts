import type { LateRecord } from '../../sdk/graph.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import type { KV } from '../../sdk/kv.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window, type WindowTransform } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';

/**
 * The late-data side output (pcoll.lateData()), shared by test/semantics/late-data-scenarios.test.ts
 * and the capability matrix's Late-data side output row (cases/ours.ts).
 */

interface Counted {
  readonly out: Probe<KV<string, number>>;
  readonly late: Probe<LateRecord>;
}

/** Keys strings by themselves, counts them per key and window (step 'Count'), captures panes and late records. */
function counted(p: Parameters<Scenario['build']>[0], stream: TestStream<string>, windowing: WindowTransform<string>): Counted {
  const counts = p.apply(stream).apply(windowing).apply(WithKeys((s: string) => s)).apply('Count', Count.perKey<string>());
  return { out: counts.apply('Out', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
}

/** The panes, then `late <key>@<timestamp> <step> <window> <reason>` per late record, then the step's lateDropped metric. */
function lateLines(c: Counted, result: PipelineResult): string[] {
  const late = c.late.records.map(({ value: r }) => `late ${(r.value as KV<string, string>).key}@${r.timestamp} ${r.step} ${r.window} ${r.reason}`).sort();
  return [...c.out.lines({ sorted: true }), ...late, `lateDropped: ${result.metrics['Count']?.lateDropped ?? 0}`];
}

export const LATE_DATA_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'records past the allowed lateness, with step, window and reason',
    build: (p) =>
      counted(
        p,
        TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(1500).addElements(['a', 200], ['b', 300]).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(1000)).withAllowedLateness(500),
      ),
    lines: lateLines,
    expected: [
      '[0,1000) ON_TIME #0 last {"key":"a","value":1}',
      'late a@200 Count [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:01.000Z) past-allowed-lateness',
      'late b@300 Count [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:01.000Z) past-allowed-lateness',
      'lateDropped: 2',
    ],
  },
  {
    name: "records for a window whose trigger finished ('window-closed')",
    build: (p) =>
      counted(
        p,
        TestStream.create<string>().addElements(['a', 100], ['a', 200]).advanceWatermarkTo(0).addElements(['a', 300]).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(3000)).triggering(AfterCount(2)),
      ),
    lines: lateLines,
    expected: [
      '[0,3000) EARLY #0 last {"key":"a","value":2}',
      'late a@300 Count [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:03.000Z) window-closed',
      'lateDropped: 1',
    ],
  },
  {
    name: 'edge: a record arriving when the watermark is exactly at the end of the allowed lateness is kept; one millisecond later it is late',
    build: (p) =>
      counted(
        p,
        TestStream.create<string>().addElements(['a', 100]).advanceWatermarkTo(1499).addElements(['a', 200]).advanceWatermarkTo(1500).addElements(['b', 300]).advanceWatermarkToInfinity(),
        Window.into<string>(FixedWindows(1000)).withAllowedLateness(500),
      ),
    lines: lateLines,
    expected: [
      '[0,1000) LATE #1 {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 {"key":"a","value":1}',
      'late b@300 Count [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:01.000Z) past-allowed-lateness',
      'lateDropped: 1',
    ],
  },
  {
    name: 'edge: with no late records the late output is empty and lateDropped is 0',
    build: (p) =>
      counted(p, TestStream.create<string>().addElements(['a', 100], ['a', 900]).advanceWatermarkTo(999).addElements(['a', 999]).advanceWatermarkToInfinity(), Window.into<string>(FixedWindows(1000))),
    lines: lateLines,
    expected: ['[0,1000) ON_TIME #0 last {"key":"a","value":3}', 'lateDropped: 0'],
  },
  {
    name: 'edge: sliding windows: a record late for one of its windows is reported for that one and counted in the other',
    build: (p) =>
      counted(
        p,
        TestStream.create<string>().addElements(['a', 1200]).advanceWatermarkTo(2500).addElements(['a', 1500]).advanceWatermarkToInfinity(),
        Window.into<string>(SlidingWindows(2000, 1000)),
      ),
    lines: lateLines,
    expected: [
      '[0,2000) ON_TIME #0 last {"key":"a","value":1}',
      '[1000,3000) ON_TIME #0 last {"key":"a","value":2}',
      'late a@1500 Count [1970-01-01T00:00:00.000Z, 1970-01-01T00:00:02.000Z) past-allowed-lateness',
      'lateDropped: 1',
    ],
  },
];
