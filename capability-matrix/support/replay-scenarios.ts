import type { SourceBatch, Source } from '../../sdk/io/source.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { Count } from '../../transforms/combiners/count.js';
import { ParDo } from '../../transforms/par-do.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';
import { bufferUntilWindowEnd } from './window-end-timers.js';

/**
 * Bounded replay: each scenario is run twice on the same input; both runs must give the same
 * transcript (`replayTranscript`) and the expected final panes. Shared by
 * test/semantics/replay-scenarios.test.ts and the capability matrix's Bounded replay row
 * (cases/ours.ts).
 */

/** Everything a run shows: every record with window, pane and emission time, the metrics and the batches. */
export function replayTranscript(out: Probe<unknown>, result: PipelineResult): string {
  return JSON.stringify({ records: out.records, metrics: result.metrics, batches: result.batches ?? null });
}

/** The final pane of each window, without the pane index (it depends on how many early panes fired), sorted. */
function finalPanes(out: Probe<unknown>): string[] {
  return out
    .lines({ sorted: true })
    .filter((l) => l.includes(' last '))
    .map((l) => l.replace(/ #\d+ last /, ' last '));
}

/** A bounded source replaying fixed records over several polls. */
function replaySource(): Source<string> {
  const records = ['a', 'b', 'a', 'c', 'a', 'b'].map((value, i) => ({ value, timestamp: i * 400 }));
  return {
    name: 'Replay',
    bounded: true,
    async open() {
      let pos = 0;
      return {
        async poll(): Promise<SourceBatch<string>> {
          const elements = records.slice(pos, pos + 2);
          pos += 2;
          return { elements, watermark: pos * 400 - 1, done: pos >= records.length };
        },
        async close() {},
      };
    },
  };
}

export const REPLAY_SCENARIOS: readonly Scenario<Probe<unknown>>[] = [
  {
    name: 'a TestStream pipeline with sessions and processing-time early firings, run twice',
    build: (p) =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 0], ['b', 100])
            .advanceProcessingTime(700)
            .addElements(['a', 500])
            .advanceWatermarkTo(400)
            .advanceProcessingTime(900)
            .addElements(['a', 3000], ['b', 350])
            .advanceWatermarkToInfinity(),
        )
        .apply(
          Window.into<string>(Sessions(1000))
            .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(500)))
            .accumulatingFiredPanes(),
        )
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey<string>())
        .apply(Capture.records()) as Probe<unknown>,
    lines: finalPanes,
    expected: ['[0,1500) ON_TIME last {"key":"a","value":2}', '[100,1350) ON_TIME last {"key":"b","value":2}', '[3000,4000) ON_TIME last {"key":"a","value":1}'],
  },
  {
    name: 'a custom bounded source, read twice',
    build: (p) =>
      p
        .apply(Read(replaySource()))
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply(Count.perElement<string>())
        .apply(Capture.records()) as Probe<unknown>,
    lines: finalPanes,
    expected: [
      '[0,1000) ON_TIME last {"key":"a","value":2}',
      '[0,1000) ON_TIME last {"key":"b","value":1}',
      '[1000,2000) ON_TIME last {"key":"a","value":1}',
      '[1000,2000) ON_TIME last {"key":"c","value":1}',
      '[2000,3000) ON_TIME last {"key":"b","value":1}',
    ],
  },
  {
    name: 'state and an event-time timer (a bag flushed at each window end), run twice',
    build(p) {
      return p
        .apply(
          TestStream.create<KV<string, number>>()
            .addElements([kv('a', 3), 100], [kv('b', 1), 300], [kv('a', 1), 200])
            .advanceWatermarkTo(999)
            .addElements([kv('a', 7), 1500], [kv('b', 5), 1999])
            .advanceWatermarkToInfinity(),
        )
        .apply(Window.into(FixedWindows(1000)))
        .apply('Buffer', ParDo(bufferUntilWindowEnd))
        .apply(Capture.records()) as Probe<unknown>;
    },
    lines: finalPanes,
    expected: [
      '[0,1000) UNKNOWN last {"key":"a","value":[1,3]}',
      '[0,1000) UNKNOWN last {"key":"b","value":[1]}',
      '[1000,2000) UNKNOWN last {"key":"a","value":[7]}',
      '[1000,2000) UNKNOWN last {"key":"b","value":[5]}',
    ],
  },
  {
    name: 'edge: a run that drops late records, run twice: same panes, same lateDropped metric',
    build: (p) =>
      p
        .apply(TestStream.create<string>().addElements(['a', 100], ['b', 200]).advanceWatermarkTo(1500).addElements(['a', 300], ['a', 1600]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply(WithKeys((s: string) => s))
        .apply('Count', Count.perKey<string>())
        .apply(Capture.records()) as Probe<unknown>,
    lines: (out, result) => [...finalPanes(out), `lateDropped: ${result.metrics['Count']?.lateDropped ?? 0}`],
    expected: [
      '[0,1000) ON_TIME last {"key":"a","value":1}',
      '[0,1000) ON_TIME last {"key":"b","value":1}',
      '[1000,2000) ON_TIME last {"key":"a","value":1}',
      'lateDropped: 1',
    ],
  },
];
