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

  const OLD = { 'report.md': '# old', 'report.json': '{"old":true}', 'report.html': '<p>old</p>' };
  const NEW = { 'report.md': '# new', 'report.json': '{"new":true}', 'report.html': '<p>new</p>' };
  const oldReports = () => {
    const dir = mkdtempSync(join(tmpdir(), 'watershed-matrix-'));
    for (const [name, text] of Object.entries(OLD)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const read = (dir: string) => Object.fromEntries(Object.keys(OLD).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));

  it.each([2, 3])('a failure writing report file %i leaves all three reports of the last run (never a mix of two runs)', async (at) => {
    const dir = oldReports();
    failpoints.arm('file.write', { at });
    await expect(writeReportFiles(dir, NEW)).rejects.toThrow(SimulatedCrash);
    expect(read(dir)).toEqual(OLD);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'report.md']);
  });

  it('a failure between the renames leaves each report whole, of one run or the other, and no hidden file', async () => {
    const dir = oldReports();
    failpoints.arm('fileSet.rename', { at: 2 });
    await expect(writeReportFiles(dir, NEW)).rejects.toThrow(SimulatedCrash);
    const now = read(dir);
    for (const name of Object.keys(OLD) as (keyof typeof OLD)[]) expect([OLD[name], NEW[name]]).toContain(now[name]);
    expect(now['report.md']).toBe(NEW['report.md']);
    expect(readdirSync(dir).sort()).toEqual(['report.html', 'report.json', 'report.md']);
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
