import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import type { Pipeline } from '../../../sdk/pipeline.js';
import type { PTransform } from '../../../sdk/ptransform.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Read } from '../../../transforms/read.js';
import { SuricataEve } from '../../../transforms/io/suricata-eve.js';
import { lineSource, LineSourceStats, TextFile } from '../../../transforms/io/text-file.js';
import { ZeekLog } from '../../../transforms/io/zeek-log.js';
import { RUNNERS, runWith } from '../../support/runners.js';

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'line-user-errors-')), name);
  writeFileSync(path, text);
  return path;
}

async function readOn<T>(options: (typeof RUNNERS)[number]['options'], read: PTransform<Pipeline, PCollection<T>>) {
  const { out } = await runWith(options, (p) => {
    const records = p.apply('Read', read);
    return { main: records.apply('Main', Capture.records<T>()), dead: records.deadLetters().apply('Dead', Capture.records<DeadLetter>()) };
  });
  return { records: out.main.records.map((r) => ({ value: r.value, timestamp: r.timestamp })), dead: out.dead.values() };
}

/** A timestamp function that throws on the record whose `n` is 2 (or the line "2"). */
const throwsOnTwo = (n: unknown): number => {
  if (n === 2 || n === '2') throw new TypeError('cannot read the time of record 2');
  return Number(n) * 1000;
};

describe.each(RUNNERS)('line sources on $label: user code throwing on one line', ({ options }) => {
  it('TextFile.lines and .ndjson: a throwing timestamp function makes that line a timestamp-error dead letter with its origin; the run goes on', async () => {
    const lines = tempFile('n.txt', '1\n2\n3\n');
    const text = await readOn(options, TextFile.lines(lines, { timestamp: (l) => throwsOnTwo(l) }));
    expect(text.records).toEqual([{ value: '1', timestamp: 1000 }, { value: '3', timestamp: 3000 }]);
    expect(text.dead.map((d) => [d.reason, d.origin, d.element, d.message])).toEqual([['timestamp-error', { file: lines, line: 2 }, '2', 'the timestamp function threw: TypeError: cannot read the time of record 2']]);

    const ndjson = tempFile('n.ndjson', '{"n":1}\n{"n":2}\n{"n":3}\n');
    const stats = new LineSourceStats();
    const json = await readOn(options, TextFile.ndjson<{ n: number }>(ndjson, { timestamp: (v) => throwsOnTwo(v.n), stats }));
    expect(json.records.map((r) => r.value.n)).toEqual([1, 3]);
    expect(json.dead.map((d) => [d.reason, d.origin])).toEqual([['timestamp-error', { file: ndjson, line: 2 }]]);
    expect(stats.deadLettered).toEqual({ 'timestamp-error': 1 });
  });

  it('SuricataEve and ZeekLog: a throwing timestamp option is a timestamp-error dead letter', async () => {
    const eve = tempFile('eve.json', [1, 2, 3].map((n) => JSON.stringify({ timestamp: '2021-06-06T15:59:46Z', event_type: 'flow', flow_id: n })).join('\n') + '\n');
    const s = await readOn(options, SuricataEve.read(eve, { timestamp: (e) => throwsOnTwo(e.flow_id) }));
    expect(s.records.map((r) => r.value.flow_id)).toEqual([1, 3]);
    expect(s.dead.map((d) => [d.reason, d.origin])).toEqual([['timestamp-error', { file: eve, line: 2 }]]);

    const zeek = tempFile('conn.log', ['#fields\tts\tuid', '1.5\tA', '2.5\tB', '3.5\tC'].join('\n') + '\n');
    const z = await readOn(options, ZeekLog.read<{ uid: string }>(zeek, { timestamp: (r) => throwsOnTwo(r.uid === 'B' ? 2 : 1) }));
    expect(z.records.map((r) => r.value.uid)).toEqual(['A', 'C']);
    expect(z.dead.map((d) => [d.reason, d.origin])).toEqual([['timestamp-error', { file: zeek, line: 3 }]]);
  });

  it('lineSource: a mapper that throws makes that line a mapper-error dead letter with its origin; the run goes on', async () => {
    const path = tempFile('m.txt', 'a\nboom\nc\n');
    const stats = new LineSourceStats();
    const source = lineSource('Mapped', path, (text) => {
      if (text === 'boom') throw new Error('the mapper cannot read boom');
      return { kind: 'element', value: text.toUpperCase() };
    }, { stats });
    const { records, dead } = await readOn(options, Read(source));
    expect(records.map((r) => r.value)).toEqual(['A', 'C']);
    expect(dead.map((d) => [d.reason, d.origin, d.element, d.message])).toEqual([['mapper-error', { file: path, line: 2 }, 'boom', 'the line mapper threw: Error: the mapper cannot read boom']]);
    expect(stats).toMatchObject({ lines: 3, elements: 2, deadLettered: { 'mapper-error': 1 } });
  });
});
