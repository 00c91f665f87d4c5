import { spawnSync } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writesToStdout } from '../../../transforms/io/file-sink-target.js';
import { InProgressFile, inProgressPath } from '../../../transforms/io/in-progress-file.js';
import { sameFile } from '../../../transforms/io/same-file.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'in-progress-'));

describe('InProgressFile', () => {
  it('is written under a hidden name and replaces the final file only when published, keeping its mode', async () => {
    const dir = fresh();
    const out = join(dir, 'pairs.ndjson');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o640);
    const f = await InProgressFile.create(out);
    expect(f.path).toMatch(/\/\.pairs\.ndjson\.[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.inprogress$/);
    writeSync(f.fd, 'new\n');
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual([f.path.slice(dir.length + 1), 'pairs.ndjson'].sort());
    await f.publish();
    await f.publish();
    await f.discard(); // after publishing, nothing to discard
    expect(readFileSync(out, 'utf8')).toBe('new\n');
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['pairs.ndjson']);
  });

  it('discard removes the hidden file and leaves the final file as it was', async () => {
    const dir = fresh();
    const out = join(dir, 'pairs.ndjson');
    writeFileSync(out, 'old\n');
    const f = await InProgressFile.create(out);
    writeSync(f.fd, 'partial');
    await f.discard();
    await f.discard();
    await f.publish(); // after discarding, nothing to publish
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readdirSync(dir)).toEqual(['pairs.ndjson']);
  });

  it('makes missing directories, keeps a symbolic link (replacing its target), and refuses a directory', async () => {
    const dir = fresh();
    const deep = join(dir, 'a', 'b', 'c.txt');
    const f = await InProgressFile.create(deep);
    writeSync(f.fd, 'c');
    await f.publish();
    expect(readFileSync(deep, 'utf8')).toBe('c');

    const link = join(dir, 'link.txt');
    symlinkSync(deep, link);
    const g = await InProgressFile.create(link);
    writeSync(g.fd, 'through the link');
    await g.publish();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(deep, 'utf8')).toBe('through the link');

    mkdirSync(join(dir, 'd'));
    await expect(InProgressFile.create(join(dir, 'd'))).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(dir).sort()).toEqual(['a', 'd', 'link.txt']);
  });

  it('writes a file whose name is as long as a file name may be (255 bytes, multi-byte characters too): the hidden name is cut to fit', async () => {
    const dir = fresh();
    for (const name of [`${'a'.repeat(248)}.ndjson`, `${'é'.repeat(124)}.ndjson`]) {
      expect(Buffer.byteLength(name)).toBe(255);
      writeFileSync(join(dir, name), 'old\n');
      const f = await InProgressFile.create(join(dir, name));
      expect(Buffer.byteLength(f.path.slice(dir.length + 1))).toBeLessThanOrEqual(255);
      writeSync(f.fd, 'new\n');
      await f.publish();
      expect(readFileSync(join(dir, name), 'utf8')).toBe('new\n');
    }
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('keeps a dangling symbolic link (also a chain of them): the file is made at its target, the links stay', async () => {
    const dir = fresh();
    const target = join(dir, 'runs', '7.ndjson');
    mkdirSync(join(dir, 'runs'));
    symlinkSync('runs/7.ndjson', join(dir, 'mid')); // relative: resolved against the link's folder
    const link = join(dir, 'latest.ndjson');
    symlinkSync(join(dir, 'mid'), link);
    const f = await InProgressFile.create(link);
    writeSync(f.fd, 'new\n');
    await f.publish();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'mid')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
    expect(readdirSync(dir).sort()).toEqual(['latest.ndjson', 'mid', 'runs']);
    // the same file as its target for the checks that keep two outputs apart
    const other = join(dir, 'next.ndjson');
    symlinkSync(join(dir, 'runs', '8.ndjson'), other);
    expect(sameFile(other, join(dir, 'runs', '8.ndjson'))).toBe(true);
    expect(sameFile(join(dir, 'runs', '..', 'next.ndjson'), join(dir, 'runs/8.ndjson'))).toBe(true);
  });

  it('refuses a final name that is a FIFO (or a symbolic link to one): renaming onto it would replace the FIFO with a file', async () => {
    const dir = fresh();
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    symlinkSync(fifo, join(dir, 'to-fifo'));
    await expect(InProgressFile.create(fifo)).rejects.toMatchObject({ code: 'ENOTREGULAR' });
    await expect(InProgressFile.create(join(dir, 'to-fifo'))).rejects.toThrow(/is not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['fifo', 'to-fifo']); // no hidden file made
  });

  it('a process that exits before publishing (a second Ctrl-C, process.exit) leaves no hidden file, and the final file as it was', () => {
    const dir = fresh();
    const out = join(dir, 'pairs.ndjson');
    writeFileSync(out, 'old\n');
    const script = join(dir, 'exit-early.mts');
    const module = new URL('../../../transforms/io/in-progress-file.ts', import.meta.url).pathname;
    writeFileSync(script, `import { writeSync } from 'node:fs';\nimport { InProgressFile } from '${module}';\nconst f = await InProgressFile.create(${JSON.stringify(out)});\nwriteSync(f.fd, 'partial');\nprocess.exit(130);\n`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('old\n');
    expect(readdirSync(dir).sort()).toEqual(['exit-early.mts', 'pairs.ndjson']);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`a process ended by ${signal} that nobody handles leaves no hidden file, the final file as it was, and still ends by ${signal}`, () => {
      const dir = fresh();
      const out = join(dir, 'pairs.ndjson');
      writeFileSync(out, 'old\n');
      const script = join(dir, 'signal-early.mts');
      const module = new URL('../../../transforms/io/in-progress-file.ts', import.meta.url).pathname;
      writeFileSync(
        script,
        `import { writeSync } from 'node:fs';\nimport { InProgressFile } from '${module}';\nconst f = await InProgressFile.create(${JSON.stringify(out)});\nwriteSync(f.fd, 'partial');\nprocess.kill(process.pid, '${signal}');\nsetTimeout(() => process.exit(3), 30_000);\n`,
      );
      const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.signal, r.stderr).toBe(signal);
      expect(readFileSync(out, 'utf8')).toBe('old\n');
      expect(readdirSync(dir).sort()).toEqual(['pairs.ndjson', 'signal-early.mts']);
    });
  }

  it('leaves a signal to the run that handles it (a graceful stop): the hidden file stays until it is published', () => {
    const dir = fresh();
    const out = join(dir, 'pairs.ndjson');
    const script = join(dir, 'signal-handled.mts');
    const module = new URL('../../../transforms/io/in-progress-file.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { writeSync } from 'node:fs';\nimport { InProgressFile } from '${module}';\nconst f = await InProgressFile.create(${JSON.stringify(out)});\nwriteSync(f.fd, 'complete');\nprocess.once('SIGINT', () => { void f.publish().then(() => process.exit(0)); });\nprocess.kill(process.pid, 'SIGINT');\nsetTimeout(() => process.exit(3), 30_000);\n`,
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('complete');
    expect(readdirSync(dir).sort()).toEqual(['pairs.ndjson', 'signal-handled.mts']);
  });

  it('names the hidden file after the final one', () => {
    expect(inProgressPath('/x/out/pairs.ndjson', 'ID')).toBe('/x/out/.pairs.ndjson.ID.inprogress');
  });
});

describe('sameFile and writesToStdout', () => {
  it('sameFile sees through spellings, symbolic links and hard links, also for files not made yet', () => {
    const dir = fresh();
    const a = join(dir, 'a.ndjson');
    writeFileSync(a, 'x');
    symlinkSync(a, join(dir, 'sym.ndjson'));
    linkSync(a, join(dir, 'hard.ndjson'));
    symlinkSync(dir, join(dir, 'here'));
    expect(sameFile(a, a)).toBe(true);
    expect(sameFile(a, join(dir, '.', 'sub', '..', 'a.ndjson'))).toBe(true);
    expect(sameFile(a, join(dir, 'sym.ndjson'))).toBe(true);
    expect(sameFile(a, join(dir, 'hard.ndjson'))).toBe(true);
    expect(sameFile(a, join(dir, 'here', 'a.ndjson'))).toBe(true);
    expect(sameFile(join(dir, 'new.ndjson'), join(dir, 'here', 'new.ndjson'))).toBe(true);
    expect(sameFile(a, join(dir, 'b.ndjson'))).toBe(false);
    expect(sameFile(join(dir, 'b.ndjson'), join(dir, 'c.ndjson'))).toBe(false);
  });

  it('writesToStdout knows the names of descriptor 1', () => {
    expect(writesToStdout('/dev/stdout')).toBe(true);
    expect(writesToStdout('/dev/fd/1')).toBe(true);
    expect(writesToStdout('/proc/self/fd/1')).toBe(true);
    expect(writesToStdout(join(fresh(), 'out.ndjson'))).toBe(false);
  });
});
