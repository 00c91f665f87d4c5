import { close, fdatasync, existsSync, lstatSync, mkdtempSync, symlinkSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { partName, PartFolder, type PartFileOps } from '../../../transforms/io/part-files.js';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'part-files-')), 'out.ndjson');
const noWarnings = { warn: (m: string) => expect.fail(`unexpected warning: ${m}`) };

/** node:fs, with every call logged together with what a reader of the folder would see at that moment. */
function recordingOps(dir: () => string, log: string[]): PartFileOps {
  const visible = () => readdirSync(dir()).filter((n) => !n.startsWith('.')).join(',') || '-';
  return {
    fdatasync: async (fd) => {
      log.push(`fdatasync visible=${visible()}`);
      await promisify(fdatasync)(fd);
    },
    close: async (fd) => {
      log.push('close');
      await promisify(close)(fd);
    },
    rename: async (from, to) => {
      log.push(`rename ${basename(from)} -> ${basename(to)}`);
      await rename(from, to);
    },
    syncDirectory: async () => {
      log.push(`fsync-dir visible=${visible()}`);
    },
  };
}

describe('PartFolder', () => {
  it('seals a part (data flushed, then closed, then the folder entry flushed) before anything is visible, and publishes it by rename, then flushes the folder', async () => {
    const out = fresh();
    const log: string[] = [];
    const f = await PartFolder.open('Out', out, 0, recordingOps(() => out, log));
    log.length = 0; // the new folder's entry was flushed (see the next test); from here on, the part's order
    const { fd, name } = f.create('run-1', 1);
    expect(name).toBe('.part-0-run-1-000001.ndjson.inprogress');
    writeSync(fd, 'a\nb\n');
    const h = await f.seal(fd, name, 42, 4);
    expect(h).toEqual({ inProgress: name, part: 'part-0-000000000042.ndjson', bytes: 4 });
    expect(log).toEqual(['fdatasync visible=-', 'close', 'fsync-dir visible=-']);
    log.length = 0;
    await f.publish(h);
    expect(log).toEqual([`rename ${name} -> part-0-000000000042.ndjson`, 'fsync-dir visible=part-0-000000000042.ndjson']);
    log.length = 0;
    await f.publish(h); // idempotent: no second rename
    expect(log).toEqual([]);
    expect(readFileSync(join(out, h.part), 'utf8')).toBe('a\nb\n');
  });

  it('a folder it makes is made durable (an fsync of the parent of each folder made), so an output with no part leaves its empty folder; an existing folder is left as it is', async () => {
    const base = mkdtempSync(join(tmpdir(), 'part-files-'));
    const out = join(base, 'a', 'b', 'out.ndjson');
    const synced: string[] = [];
    const ops: PartFileOps = { ...recordingOps(() => out, []), syncDirectory: async (d) => void synced.push(d) };
    await PartFolder.open('Out', out, 0, ops);
    // Before: no fsync at all, so a crash could lose the folder of a run that published no part.
    expect(synced).toEqual([join(base, 'a', 'b'), join(base, 'a'), base]);
    synced.length = 0;
    await PartFolder.open('Out', out, 0, ops);
    expect(synced).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
  });

  it('a folder that is a dangling symbolic link stays a link: the folder is made at its target (as a file output is) and parts are published through it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'part-files-'));
    const out = join(base, 'latest.ndjson');
    symlinkSync('runs/1.ndjson', out);
    const f = await PartFolder.open('Out', out, 0);
    const { fd, name } = f.create('run-1', 1);
    writeSync(fd, 'a\n');
    await f.publish(await f.seal(fd, name, 1, 2));
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(base, 'runs', '1.ndjson', partName(0, 1, '.ndjson')), 'utf8')).toBe('a\n');
  });

  it('recover touches only its own subtask, and leaves other files alone', async () => {
    const out = fresh();
    const f = await PartFolder.open('Out', out, 0);
    const other = [partName(1, 5, '.ndjson'), '.part-1-run-0-000001.ndjson.inprogress', 'README', '.part-10-x-000001.ndjson.inprogress', partName(10, 9, '.ndjson')];
    for (const n of other) writeFileSync(join(out, n), 'other\n');
    writeFileSync(join(out, '.part-0-run-0-000003.ndjson.inprogress'), 'abandoned\n');
    writeFileSync(join(out, partName(0, 2, '.ndjson')), 'kept\n');
    const r = await f.recover(undefined, { committed: false, restoredSeq: 2, ...noWarnings }, 'run-1');
    expect(r).toEqual({ removed: ['.part-0-run-0-000003.ndjson.inprogress'], superseded: [] });
    expect(readdirSync(out).sort()).toEqual([...other, partName(0, 2, '.ndjson')].sort());
  });

  it('a path without an extension gives parts without one', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'part-files-')), 'output');
    const f = await PartFolder.open('Out', out, 0);
    const { fd, name } = f.create('r', 1);
    await f.publish(await f.seal(fd, name, 1, 0));
    expect(readdirSync(out)).toEqual(['part-0-000000000001']);
    expect(existsSync(join(out, name))).toBe(false);
  });
});
