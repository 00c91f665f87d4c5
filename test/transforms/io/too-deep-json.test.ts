import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { MAX_JSON_DEPTH, jsonDepthProblem } from '../../../transforms/io/json-depth.js';
import { SuricataEve } from '../../../transforms/io/suricata-eve.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { ZeekLog } from '../../../transforms/io/zeek-log.js';
import { readSuricataEveLine } from '../../../pipelines/netflow/readers/suricata-eve.js';
import { ZeekConnParser } from '../../../pipelines/netflow/readers/zeek-conn.js';
import { RUNNERS, runWith } from '../../support/runners.js';

const DEEP = 100_000;
const deepArray = '['.repeat(DEEP) + ']'.repeat(DEEP);
const deepObject = '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'too-deep-'));
}

describe('jsonDepthProblem', () => {
  it('finds nesting past the limit, not brackets inside strings', () => {
    expect(jsonDepthProblem(deepArray)).toBe(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    expect(jsonDepthProblem(deepObject)).toBe(`nested more than ${MAX_JSON_DEPTH} levels deep`);
    const atLimit = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(jsonDepthProblem(atLimit)).toBeUndefined();
    expect(jsonDepthProblem('[' + atLimit + ']')).toBeDefined();
    expect(jsonDepthProblem(JSON.stringify({ s: '['.repeat(DEEP), t: 'x\\"[[[' }))).toBeUndefined();
    expect(jsonDepthProblem('{"a":1}')).toBeUndefined();
    expect(JSON.stringify(JSON.parse(atLimit))).toBe(atLimit); // what passes can be written again
  });
});

describe.each(RUNNERS)('JSON nested too deep on $label', ({ options }) => {
  it('TextFile.ndjson: a line nested 100,000 deep is a too-deep dead letter; the run goes on and writes the rest', async () => {
    const dir = tempDir();
    const input = join(dir, 'in.ndjson');
    const output = join(dir, 'out.ndjson');
    writeFileSync(input, ['{"a":1}', deepArray, deepObject, '{"a":2}'].join('\n') + '\n');
    const { out } = await runWith(options, (p) => {
      const values = p.apply('Json', TextFile.ndjson(input));
      values.apply('Write', TextFile.write(output));
      return { dead: values.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(readFileSync(output, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect(out.dead.values().map((d) => [d.reason, d.origin, (d.element as string).length])).toEqual([
      ['too-deep', { file: input, line: 2 }, deepArray.length],
      ['too-deep', { file: input, line: 3 }, deepObject.length],
    ]);
  });

  it('SuricataEve and ZeekLog JSON: too-deep, not malformed-json (the JSON is well-formed)', async () => {
    const dir = tempDir();
    const eve = join(dir, 'eve.json');
    writeFileSync(eve, [`{"timestamp":"2021-06-06T15:59:46Z","event_type":"flow","x":${deepArray}}`, '{"timestamp":"2021-06-06T15:59:46Z","event_type":"flow"}'].join('\n'));
    const s = await runWith(options, (p) => {
      const events = p.apply('Eve', SuricataEve.read(eve));
      return { values: events.apply('V', Capture.records()), dead: events.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(s.out.values.values()).toHaveLength(1);
    expect(s.out.dead.values().map((d) => [d.reason, d.origin])).toEqual([['too-deep', { file: eve, line: 1 }]]);

    const conn = join(dir, 'conn.json');
    writeFileSync(conn, `{"ts":1.5,"uid":"A","x":${deepObject}}\n{"ts":1.5,"uid":"B"}\n`);
    const z = await runWith(options, (p) => {
      const records = p.apply('Zeek', ZeekLog.read(conn));
      return { values: records.apply('V', Capture.records()), dead: records.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(z.out.values.values()).toHaveLength(1);
    expect(z.out.dead.values().map((d) => d.reason)).toEqual(['too-deep']);
  });
});

describe('netflow sensor readers', () => {
  it('reject a JSON line nested too deep as too-deep', () => {
    expect(readSuricataEveLine(`{"event_type":"flow","src_port":${deepArray}}`)).toMatchObject({ kind: 'rejected', reason: 'too-deep' });
    expect(new ZeekConnParser().read(`{"ts":1655071209.5,"id.orig_p":${deepArray}}`)).toMatchObject({ kind: 'rejected', reason: 'too-deep' });
  });
});
