import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FileWriterThread, writeAllSync } from '../../../transforms/io/file-writer-thread.js';

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
  it('writes everything at its position, with far more writes than slots (write waits for the disk)', async () => {
    const { path, fd } = openFile('many.txt');
    const w = new FileWriterThread(fd, 64, 2);
    const b = Buffer.alloc(64);
    let position = 0;
    let expected = '';
    for (let i = 0; i < 500; i++) {
      const line = `line ${i} ${'x'.repeat(i % 40)}\n`;
      const n = b.write(line, 0, 'utf8');
      w.write(b, n, position);
      position += n;
      expected += line;
    }
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('retarget sends later writes to another file, after the earlier ones reached the first, with one thread', async () => {
    const a = openFile('part-a.txt');
    const b = openFile('part-b.txt');
    const c = openFile('part-c.txt');
    const w = new FileWriterThread(a.fd, 8, 2);
    const write = (text: string, position: number) => w.write(Buffer.from(text), Buffer.byteLength(text), position);
    write('first part, many slots\n', 0); // more bytes than the slots hold: retarget must wait for them
    w.retarget(b.fd);
    write('second\n', 0);
    write('part\n', 7);
    w.retarget(c.fd);
    w.retarget(c.fd); // the same descriptor again: nothing to do
    write('third\n', 0);
    await w.settled();
    await w.close();
    expect(readFileSync(a.path, 'utf8')).toBe('first part, many slots\n');
    expect(readFileSync(b.path, 'utf8')).toBe('second\npart\n');
    expect(readFileSync(c.path, 'utf8')).toBe('third\n');
  });

  it('retarget before the thread started only changes the descriptor the thread will start with', async () => {
    const a = openFile('unused.txt');
    const b = openFile('used.txt');
    const w = new FileWriterThread(a.fd, 16);
    w.retarget(b.fd);
    w.write(Buffer.from('hello\n'), 6, 0);
    await w.settled();
    await w.close();
    expect(readFileSync(a.path, 'utf8')).toBe('');
    expect(readFileSync(b.path, 'utf8')).toBe('hello\n');
    expect(() => w.retarget(a.fd)).toThrow(/closed/);
  });

  it('property: any mix of write sizes (longer and shorter than a slot), slot sizes and counts gives the exact file', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 200 }), { maxLength: 40 }),
        async (slotBytes, slotCount, chunks) => {
          const { path, fd } = openFile(`property-${run++}.bin`);
          const w = new FileWriterThread(fd, slotBytes, slotCount);
          let position = 0;
          for (const c of chunks) {
            w.write(c, c.length, position);
            position += c.length;
          }
          await w.settled();
          await w.close();
          expect(readFileSync(path)).toEqual(Buffer.concat(chunks));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('writes at the given positions whatever the submission order', async () => {
    const { path, fd } = openFile('positions.txt');
    const w = new FileWriterThread(fd, 8, 4);
    for (const [text, at] of [['cccc', 8], ['aaaa', 0], ['dddd', 12], ['bbbb', 4]] as const) w.write(Buffer.from(text), 4, at);
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('aaaabbbbccccdddd');
  });

  it('with position null, writes at the current offset in submission order (for targets that cannot seek)', async () => {
    const { path, fd } = openFile('sequential.txt');
    const w = new FileWriterThread(fd, 8, 2);
    let expected = '';
    for (let i = 0; i < 200; i++) {
      const text = `${i}:${'s'.repeat(i % 23)};`;
      w.write(Buffer.from(text), Buffer.byteLength(text), null);
      expected += text;
    }
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe(expected);
  });

  it('sequential writes to a full non-blocking socket wait for the reader (EAGAIN) instead of failing', async () => {
    // The child's stdin is a socket in non-blocking mode; the child reads only after a pause, so
    // 4 MiB fill the socket and the writes meet EAGAIN, on this thread and on the writer's.
    const copy = join(dir, 'socket-copy.bin');
    const child = spawn('sh', ['-c', `sleep 0.3; cat > '${copy}'`], { stdio: ['pipe', 'ignore', 'inherit'] });
    const fd = (child.stdin as unknown as { _handle: { fd: number } })._handle.fd;
    const data = Buffer.alloc(4 << 20);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    writeAllSync(fd, data, 0, 1 << 20, null);
    const w = new FileWriterThread(fd, 64 << 10, 2, undefined, Infinity);
    w.write(data.subarray(1 << 20), 3 << 20, null);
    await w.settled();
    await w.close();
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(readFileSync(copy).equals(data)).toBe(true);
  });

  it('splits a write longer than a slot over several slots', async () => {
    const { path, fd } = openFile('long.txt');
    const w = new FileWriterThread(fd, 7, 3);
    const text = Array.from({ length: 100 }, (_, i) => `${i};`).join('');
    w.write(Buffer.from('head:'), 5, 0);
    w.write(Buffer.from(text), text.length, 5);
    await w.settled();
    await w.close();
    expect(readFileSync(path, 'utf8')).toBe('head:' + text);
  });

  it('starts no thread before the first write, and close() is then a no-op', async () => {
    const { fd } = openFile('unused.txt');
    const w = new FileWriterThread(fd, 16);
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
    w.write(Buffer.from('nope'), 4, 0);
    await expect(w.settled()).rejects.toMatchObject({ code: 'EBADF', message: expect.stringMatching(/EBADF/) });
    expect(() => w.write(Buffer.from('more'), 4, 4)).toThrow(/EBADF/);
    expect(() => w.check()).toThrow(/EBADF/);
    await w.close();
  });

  it('a thread that dies is reported as a failure, and close() still returns (no hang, no early exit)', async () => {
    const { fd } = openFile('crash.txt');
    const w = new FileWriterThread(fd, 16, 2, 'throw new Error("boom in the writer")');
    w.write(Buffer.from('x'), 1, 0);
    await expect(w.settled()).rejects.toThrow(/file writer thread failed: boom in the writer/);
    expect(() => w.write(Buffer.from('y'), 1, 1)).toThrow(/boom in the writer/);
    await w.close();
  });

  it('settled() after close() returns at once (the stop is counted as done)', async () => {
    const { path, fd } = openFile('after-close.txt');
    const w = new FileWriterThread(fd, 16);
    w.write(Buffer.from('done'), 4, 0);
    await w.close();
    await w.settled();
    expect(readFileSync(path, 'utf8')).toBe('done');
  });

  it('rejects writes after close, and bad sizes', async () => {
    const { fd } = openFile('closed.txt');
    const w = new FileWriterThread(fd, 16);
    await w.close();
    expect(() => w.write(Buffer.from('x'), 1, 0)).toThrow(/closed/);
    expect(() => new FileWriterThread(fd, 0)).toThrow(RangeError);
    expect(() => new FileWriterThread(fd, 16, 1.5)).toThrow(RangeError);
  });
});
