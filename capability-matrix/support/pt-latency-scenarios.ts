import type { KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { Repeatedly } from '../../sdk/triggers/repeatedly.js';
import type { Trigger } from '../../sdk/triggers/trigger.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { Scenario } from './scenario.js';

/**
 * Processing-time trigger latency where every runner configuration must agree: each firing is due
 * on a batch boundary (a multiple of 1 s, hence of 250 ms), so the expected latency is 0 for
 * element-at-a-time and micro-batch runners alike. Shared by
 * test/semantics/pt-latency-scenarios.test.ts and the capability matrix's Processing-time trigger
 * latency row (cases/ours.ts); the case whose target is off the batch boundaries stays there.
 */

/** Elements ('a' at event time 100·i) added at the given processing times; the clock moves in 100 ms steps to 4 s. */
function stream(addAt: readonly number[]): TestStream<string> {
  let s = TestStream.create<string>();
  for (let pt = 0; pt <= 4000; pt += 100) {
    if (pt > 0) s = s.advanceProcessingTime(100);
    const i = addAt.indexOf(pt);
    if (i >= 0) s = s.addElements(['a', 100 * (i + 1)]).advanceWatermarkTo(0);
  }
  return s.advanceWatermarkToInfinity();
}

function counted(p: Pipeline, s: TestStream<string>, trigger: Trigger): Probe<KV<string, number>> {
  return p
    .apply(s)
    .apply(Window.into<string>(FixedWindows(60_000)).triggering(trigger))
    .apply(WithKeys((x: string) => x))
    .apply(Count.perKey<string>())
    .apply(Capture.records());
}

/** `EARLY #<index> <count> latency <emitted − target> ms` per early pane, in emission order; `targets` lists the due times. */
function latencies(targets: readonly number[]) {
  return (out: Probe<KV<string, number>>) => {
    const early = out.records.filter((r) => r.pane.timing === 'EARLY');
    return early.map((r, i) => `EARLY #${r.pane.index} ${r.value.value} latency ${targets[i] === undefined ? 'unexpected pane' : `${r.emittedAt - targets[i]!} ms`}`);
  };
}

export const PT_LATENCY_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'an early firing due 1 s after the first element (on a batch boundary): latency 0 on every runner',
    build: (p) => counted(p, stream([0]), AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
    lines: latencies([1000]),
    expected: ['EARLY #0 1 latency 0 ms'],
  },
  {
    name: 'Repeatedly: two panes, each due 1 s after its first element, each fired at its target',
    build: (p) => counted(p, stream([0, 2000]), Repeatedly(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000))),
    lines: latencies([1000, 3000]),
    expected: ['EARLY #0 1 latency 0 ms', 'EARLY #1 1 latency 0 ms'],
  },
  {
    name: 'edge: alignedTo(1 s) with the first element mid-interval (pt=300): fires on the aligned boundary pt=1000',
    build: (p) => counted(p, stream([300]), AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().alignedTo(1000))),
    lines: latencies([1000]),
    expected: ['EARLY #0 1 latency 0 ms'],
  },
];
