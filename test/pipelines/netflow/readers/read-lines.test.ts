import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../../../../pipelines/netflow/readers/read-lines.js';

describe('readLines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netflow-lines-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('yields lines without \\n or \\r\\n terminators', async () => {
    const path = join(dir, 'a.txt');
    writeFileSync(path, 'one\r\ntwo\n\nthree');
    const lines: string[] = [];
    for await (const line of readLines(path)) lines.push(line.text);
    expect(lines).toEqual(['one', 'two', '', 'three']);
  });

  it('gives a line that is not valid UTF-8 with its exact bytes, never only its text decoded with U+FFFD', async () => {
    const path = join(dir, 'bad.txt');
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x80]);
    writeFileSync(path, Buffer.concat([Buffer.from('é\n'), bad, Buffer.from('\nok')]));
    const lines = [];
    for await (const line of readLines(path)) lines.push(line);
    expect(lines.map((l) => [l.line, l.text, l.bytes])).toEqual([[1, 'é', undefined], [2, '{\uFFFD\uFFFD"\uFFFD', bad], [3, 'ok', undefined]]);
  });

  it('throws for a missing file', async () => {
    await expect(async () => {
      for await (const _ of readLines(join(dir, 'missing.txt'))) void _;
    }).rejects.toThrow(/ENOENT/);
  });
});
