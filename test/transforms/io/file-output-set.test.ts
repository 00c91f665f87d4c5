import { mkdtempSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { failpoints, SimulatedCrash } from '../../../sdk/testing/failpoints.js';
import { FileOutputSet } from '../../../transforms/io/file-output-set.js';
import { InProgressFile } from '../../../transforms/io/in-progress-file.js';

const NAMES = ['a.ndjson', 'b.ndjson', 'c.json'];

function oldFiles(): string {
  const dir = mkdtempSync(join(tmpdir(), 'file-output-set-'));
  for (const n of NAMES) writeFileSync(join(dir, n), `OLD ${n}`);
  return dir;
}

/** A set with `a` and `b` added as written in-progress files, and `c` written through `write`. */
async function filled(dir: string, error?: (cause: unknown) => unknown): Promise<FileOutputSet> {
  const set = new FileOutputSet();
  for (const n of NAMES.slice(0, 2)) {
    const f = await InProgressFile.create(join(dir, n));
    writeSync(f.fd, `NEW ${n}`);
    await set.add(f, error);
  }
  await set.write(join(dir, NAMES[2]!), `NEW ${NAMES[2]}`, error);
  return set;
}

const contents = (dir: string) => NAMES.map((n) => readFileSync(join(dir, n), 'utf8'));

describe('FileOutputSet', () => {
  afterEach(() => failpoints.reset());

  it('keeps every member hidden until publish(), then renames all of them', async () => {
    const dir = oldFiles();
    const set = await filled(dir);
    expect(contents(dir)).toEqual(NAMES.map((n) => `OLD ${n}`));
    expect(readdirSync(dir).filter((f) => f.endsWith('.inprogress'))).toHaveLength(3);
    await set.publish();
    expect(contents(dir)).toEqual(NAMES.map((n) => `NEW ${n}`));
    expect(readdirSync(dir).sort()).toEqual([...NAMES].sort());
  });

  it('discard() removes every hidden file and leaves every name as it was', async () => {
    const dir = oldFiles();
    const set = await filled(dir);
    await set.discard();
    await set.publish(); // nothing left to publish
    expect(contents(dir)).toEqual(NAMES.map((n) => `OLD ${n}`));
    expect(readdirSync(dir).sort()).toEqual([...NAMES].sort());
  });

  it('a failed rename leaves the members before it new, it and the rest as they were, no hidden file, and throws its owner\'s error', async () => {
    const dir = oldFiles();
    const set = await filled(dir, (cause) => new Error('owner error', { cause }));
    failpoints.arm('fileSet.rename', { at: 2 });
    const e = await set.publish().then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toBe('owner error');
    expect((e as Error).cause).toBeInstanceOf(SimulatedCrash);
    expect(contents(dir)).toEqual(['NEW a.ndjson', 'OLD b.ndjson', 'OLD c.json']);
    expect(readdirSync(dir).sort()).toEqual([...NAMES].sort());
  });

  it('a write that fails half-way removes its hidden file and leaves the set as it was', async () => {
    const dir = oldFiles();
    const set = new FileOutputSet();
    failpoints.arm('file.write', { at: 1 });
    await expect(set.write(join(dir, 'c.json'), 'NEW c.json')).rejects.toThrow(SimulatedCrash);
    expect(readdirSync(dir).sort()).toEqual([...NAMES].sort());
    await set.publish();
    expect(contents(dir)).toEqual(NAMES.map((n) => `OLD ${n}`));
  });

  it('takes no member once published: the file offered is discarded', async () => {
    const dir = oldFiles();
    const set = new FileOutputSet();
    await set.publish();
    const f = await InProgressFile.create(join(dir, 'a.ndjson'));
    await expect(set.add(f)).rejects.toThrow(/was published already/);
    await expect(set.write(join(dir, 'b.ndjson'), 'x')).rejects.toThrow(/was published already/);
    expect(readdirSync(dir).sort()).toEqual([...NAMES].sort());
  });
});
