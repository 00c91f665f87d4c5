import type { Source, SourceBatch } from '../../sdk/io/source.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import type { TimestampedValue } from '../../sdk/windowed-value.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { paneLines, type Scenario } from './scenario.js';

/**
 * User-written sources (Read from a Source), shared by test/semantics/source-scenarios.test.ts and
 * the capability matrix's Source API row (cases/what.ts).
 */

/** A bounded source that hands out all its records in one poll (as elements or as columns), then is done. */
function onePollSource<T>(records: readonly TimestampedValue<T>[], watermark: number, opts: { columns?: boolean; closed?: { value: boolean } } = {}): Source<T> {
  return {
    name: 'OnePoll',
    bounded: true,
    async open() {
      return {
        async poll(): Promise<SourceBatch<T>> {
          if (!opts.columns) return { elements: records, watermark, done: true };
          return { elements: [], columns: { values: records.map((r) => r.value), timestamps: records.map((r) => r.timestamp) }, watermark, done: true };
        },
        async close() {
          if (opts.closed) opts.closed.value = true;
        },
      };
    },
  };
}

/** `value@timestamp` per record, sorted. */
const valuesAt = (probe: Probe<unknown>) => probe.records.map((r) => `${JSON.stringify(r.value)}@${r.timestamp}`).sort();

export const SOURCE_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'edge: an empty bounded source ends the run with no output and is closed',
    build(p) {
      const closed = { value: false };
      const out = p.apply(Read(onePollSource<string>([], 0, { closed }))).apply(Capture.records());
      return { out, closed };
    },
    lines: (o: { out: Probe<string>; closed: { value: boolean } }) => [`records: ${o.out.records.length}`, `closed: ${o.closed.value}`],
    expected: ['records: 0', 'closed: true'],
  },
  {
    name: 'edge: records out of timestamp order within one poll each land in the window of their own timestamp',
    build: (p): Probe<unknown> =>
      p
        .apply(Read(onePollSource([{ value: 'a', timestamp: 1500 }, { value: 'a', timestamp: 200 }, { value: 'b', timestamp: 1000 }, { value: 'b', timestamp: 999 }], 0)))
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply(Count.perElement<string>())
        .apply(Capture.records()),
    lines: paneLines,
    expected: [
      '[0,1000) ON_TIME #0 last {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"b","value":1}',
    ],
  },
  {
    name: 'a source that hands its records as columns (values and timestamps) is read like one handing elements',
    build: (p): Probe<unknown> => p.apply(Read(onePollSource([{ value: 'x', timestamp: 30 }, { value: 'y', timestamp: 10 }, { value: 'x', timestamp: 20 }], 0, { columns: true }))).apply(Capture.records()),
    lines: valuesAt,
    expected: ['"x"@20', '"x"@30', '"y"@10'],
  },
];
