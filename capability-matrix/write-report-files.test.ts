import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failpoints, SimulatedCrash } from '../sdk/testing/failpoints.js';
import { writeReportFiles } from './write-report-files.js';

afterEach(() => failpoints.reset());

describe('writeReportFiles (npm run capability-matrix)', () => {
  it('a crash half-way through a report file leaves the report that was there, and no stray file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watershed-matrix-'));
    writeFileSync(join(dir, 'report.md'), 'the old report\n');
    failpoints.arm('file.write', { at: 1 });
    await expect(writeReportFiles(dir, { 'report.md': 'the new report '.repeat(1000) })).rejects.toThrow(SimulatedCrash);
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toBe('the old report\n');
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('writes every file whole', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watershed-matrix-'));
    writeFileSync(join(dir, 'report.json'), '{"old":true}');
    const paths = await writeReportFiles(dir, { 'report.md': '# new', 'report.json': '{"new":true}' });
    expect(paths).toEqual([join(dir, 'report.md'), join(dir, 'report.json')]);
    expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe('{"new":true}');
    expect(readdirSync(dir).sort()).toEqual(['report.json', 'report.md']);
  });
});
