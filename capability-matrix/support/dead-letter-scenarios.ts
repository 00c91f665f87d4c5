import type { DeadLetter } from '../../sdk/dead-letter.js';
import type { DoFn } from '../../sdk/dofn.js';
import type { Source, SourceBatch } from '../../sdk/io/source.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { ParDo } from '../../transforms/par-do.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import type { Scenario } from './scenario.js';

/**
 * The dead-letter outputs of a ParDo (ParDo(fn).withDeadLetters()) and of a Read, shared by
 * test/semantics/dead-letter-scenarios.test.ts and the capability matrix's Dead-letter output row
 * (cases/ours.ts).
 */

interface Split {
  readonly ok: Probe<number>;
  readonly dead: Probe<DeadLetter>;
}

/** Parses numbers; throws on anything else. */
const parse: DoFn<string, number> = {
  process(s, ctx) {
    const n = Number(s);
    if (Number.isNaN(n)) throw new Error(`not a number: ${s}`);
    ctx.output(n);
  },
};

/** A bounded source whose second record cannot be decoded. */
function sourceWithBadRecord(): Source<number> {
  return {
    name: 'Numbers',
    bounded: true,
    async open({ step }) {
      let done = false;
      return {
        async poll(): Promise<SourceBatch<number>> {
          done = true;
          return {
            elements: [
              { value: 1, timestamp: 10 },
              { value: 3, timestamp: 30 },
            ],
            deadLetters: [{ step, reason: 'malformed', message: "'two' is not a number", element: 'two', timestamp: 20, origin: { line: 2 } }],
            watermark: 100,
            done,
          };
        },
        async close() {},
      };
    },
  };
}

/** `ok <value>@<timestamp>` per output, `dead <json>` per dead letter (sorted), then `step`'s deadLettered metric. */
function splitLinesOf(step: string) {
  return (s: Split, result: PipelineResult): string[] => [
    ...s.ok.records.map((r) => `ok ${r.value}@${r.timestamp}`).sort(),
    ...s.dead.values().map((d) => `dead ${JSON.stringify(d)}`).sort(),
    `deadLettered: ${result.metrics[step]?.deadLettered ?? 0}`,
  ];
}

const splitLines = splitLinesOf('Parse');

export const DEAD_LETTER_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'a ParDo built withDeadLetters routes failing elements and keeps going',
    build(p): Split {
      const parsed = p.apply(TestStream.create<string>().addElements(['1', 100], ['x', 200], ['3', 300]).advanceWatermarkToInfinity()).apply('Parse', ParDo(parse).withDeadLetters());
      return { ok: parsed.apply('Ok', Capture.records()), dead: parsed.deadLetters().apply('Dead', Capture.records()) };
    },
    lines: splitLines,
    expected: ['ok 1@100', 'ok 3@300', 'dead {"step":"Parse","reason":"user-code","message":"not a number: x","element":"x","timestamp":200,"window":"GlobalWindow"}', 'deadLettered: 1'],
  },
  {
    name: "a source's undecodable records go to the Read step's dead-letter output",
    build(p): Split {
      const read = p.apply('Read', Read(sourceWithBadRecord()));
      return { ok: read.apply('Ok', Capture.records()), dead: read.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
    },
    lines: splitLinesOf('Read'),
    expected: ['ok 1@10', 'ok 3@30', `dead {"step":"Read","reason":"malformed","message":"'two' is not a number","element":"two","timestamp":20,"origin":{"line":2}}`, 'deadLettered: 1'],
  },
  {
    name: 'edge: every element fails: no output, every element dead-lettered, the run completes',
    build(p): Split {
      const parsed = p.apply(TestStream.create<string>().addElements(['x', 100], ['y', 200]).advanceWatermarkToInfinity()).apply('Parse', ParDo(parse).withDeadLetters());
      return { ok: parsed.apply('Ok', Capture.records()), dead: parsed.deadLetters().apply('Dead', Capture.records()) };
    },
    lines: splitLines,
    expected: [
      'dead {"step":"Parse","reason":"user-code","message":"not a number: x","element":"x","timestamp":100,"window":"GlobalWindow"}',
      'dead {"step":"Parse","reason":"user-code","message":"not a number: y","element":"y","timestamp":200,"window":"GlobalWindow"}',
      'deadLettered: 2',
    ],
  },
  {
    name: 'a dead letter from a windowed ParDo names the window of the failing element',
    build(p): Split {
      const parsed = p
        .apply(TestStream.create<string>().addElements(['1', 100], ['z', 1500], ['3', 2500]).advanceWatermarkToInfinity())
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply('Parse', ParDo(parse).withDeadLetters());
      return { ok: parsed.apply('Ok', Capture.records()), dead: parsed.deadLetters().apply('Dead', Capture.records()) };
    },
    lines: splitLines,
    expected: [
      'ok 1@100',
      'ok 3@2500',
      'dead {"step":"Parse","reason":"user-code","message":"not a number: z","element":"z","timestamp":1500,"window":"[1970-01-01T00:00:01.000Z, 1970-01-01T00:00:02.000Z)"}',
      'deadLettered: 1',
    ],
  },
];
