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

/**
 * A bounded source that hands out its records in pages of 2 (a poll asking for fewer gets part of a
 * page, and the next poll the rest), with `watermarks[i]` once page i has been handed out.
 */
function pagedSource(records: readonly TimestampedValue<string>[], watermarks: readonly number[], closed: { value: boolean }): Source<string> {
  return {
    name: 'Paged',
    bounded: true,
    async open() {
      let pos = 0;
      let watermark = 0;
      return {
        async poll(max): Promise<SourceBatch<string>> {
          const elements = records.slice(pos, pos + Math.min(2 - (pos % 2), max));
          pos += elements.length;
          const done = pos >= records.length;
          if (pos % 2 === 0 || done) watermark = watermarks[Math.ceil(pos / 2) - 1] ?? watermarks[watermarks.length - 1]!;
          return { elements, watermark, done };
        },
        async close() {
          closed.value = true;
        },
      };
    },
  };
}

/** A bounded source that is empty for its first polls, as if waiting for data. */
function slowSource(): Source<number> {
  return {
    name: 'Slow',
    bounded: true,
    async open() {
      let polls = 0;
      return {
        async poll(): Promise<SourceBatch<number>> {
          polls++;
          if (polls <= 3) return { elements: [], watermark: 0, done: false };
          if (polls === 4) return { elements: [{ value: 1, timestamp: 10 }, { value: 2, timestamp: 20 }], watermark: 100, done: false };
          return { elements: [{ value: 3, timestamp: 150 }], watermark: 200, done: true };
        },
        async close() {},
      };
    },
  };
}

/** `value@timestamp` per record, sorted. */
const valuesAt = (probe: Probe<unknown>) => probe.records.map((r) => `${JSON.stringify(r.value)}@${r.timestamp}`).sort();

export const SOURCE_SCENARIOS: readonly Scenario<any>[] = [
  {
    name: 'a custom bounded source with its own watermark, read in several polls, then closed',
    build(p) {
      const closed = { value: false };
      const records = [
        { value: 'a', timestamp: 100 },
        { value: 'b', timestamp: 200 },
        { value: 'a', timestamp: 900 },
        { value: 'a', timestamp: 1100 },
        { value: 'b', timestamp: 1800 },
      ];
      const out = p
        .apply(Read(pagedSource(records, [500, 1000, 2000], closed)))
        .apply(Window.into<string>(FixedWindows(1000)))
        .apply(Count.perElement<string>())
        .apply(Capture.records());
      return { out, closed };
    },
    lines: (o: { out: Probe<unknown>; closed: { value: boolean } }) => [...paneLines(o.out), `closed: ${o.closed.value}`],
    expected: [
      '[0,1000) ON_TIME #0 last {"key":"a","value":2}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"b","value":1}',
      'closed: true',
    ],
  },
  {
    name: 'a source that has no data for its first polls',
    build: (p): Probe<unknown> => p.apply(Read(slowSource())).apply(Capture.records()),
    lines: valuesAt,
    expected: ['1@10', '2@20', '3@150'],
  },
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
