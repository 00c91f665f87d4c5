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
    for await (const line of readLines(path)) lines.push(line);
    expect(lines).toEqual(['one', 'two', '', 'three']);
  });

  it('throws for a missing file', async () => {
    await expect(async () => {
      for await (const _ of readLines(join(dir, 'missing.txt'))) void _;
    }).rejects.toThrow(/ENOENT/);
  });
});
