import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriterThread } from '../../../transforms/io/file-writer-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'watershed-writer-'));
const fds: number[] = [];
function openFile(name: string, flags = 'w'): { path: string; fd: number } {
  const path = join(dir, name);
  const fd = openSync(path, flags);
  fds.push(fd);
  return { path, fd };
}
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
});

describe('FileWriterThread', () => {
  it('writes every submitted buffer at its position, with more buffers than slots (take waits for the disk)', async () => {
    const { path, fd } = openFile('many.txt');
    const w = new FileWriterThread(fd, 64, 2);
    let position = 0;
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const b = w.take();
      const line = `line ${i} ${'x'.repeat(i % 40)}\n`;
      const n = b.write(line, 0, 'utf8');
      w.submit(b, n, position);
      position += n;
      expected += line;
    }
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('writes at the given positions whatever the submission order', async () => {
    const { path, fd } = openFile('positions.txt');
    const w = new FileWriterThread(fd, 8, 4);
    for (const [text, at] of [['cccc', 8], ['aaaa', 0], ['dddd', 12], ['bbbb', 4]] as const) {
      const b = w.take();
      w.submit(b, b.write(text), at);
    }
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('aaaabbbbccccdddd');
  });

  it('starts no thread before the first submit, and close() is then a no-op', async () => {
    const { fd } = openFile('unused.txt');
    const w = new FileWriterThread(fd, 16);
    w.take();
    expect(w.started).toBe(false);
    await w.settled();
    await w.close();
    await w.close();
    expect(w.started).toBe(false);
  });

  it('reports a write error with its code, from settled() and from later calls', async () => {
    const { fd } = openFile('read-only.txt', 'w');
    closeSync(fd);
    fds.pop();
    const readOnly = openSync(join(dir, 'read-only.txt'), 'r');
    fds.push(readOnly);
    const w = new FileWriterThread(readOnly, 16, 2);
    const b = w.take();
    w.submit(b, b.write('nope'), 0);
    await expect(w.settled()).rejects.toMatchObject({ code: 'EBADF', message: expect.stringMatching(/EBADF/) });
    expect(() => w.take()).toThrow(/EBADF/);
    expect(() => w.check()).toThrow(/EBADF/);
    await w.close();
  });

  it('rejects a buffer it did not hand out, and bad sizes', () => {
    const { fd } = openFile('foreign.txt');
    const w = new FileWriterThread(fd, 16);
    expect(() => w.submit(Buffer.alloc(16), 1, 0)).toThrow(/buffer returned by take/);
    expect(() => new FileWriterThread(fd, 0)).toThrow(RangeError);
    expect(() => new FileWriterThread(fd, 16, 1.5)).toThrow(RangeError);
  });
});
