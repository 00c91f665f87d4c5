/**
 * Reading a descriptor that cannot be opened by path: a socket given as stdin (what a Node parent's
 * `spawn` passes by default) fails `open('/dev/stdin')` with ENXIO. Internal to the package.
 */
import { Socket } from 'node:net';

/** What LineReader reads through: a `FileHandle`, or {@link socketReadHandle} for a socket. */
export interface ReadHandle {
  read(buffer: Buffer, offset: number, length: number, position: number | null): Promise<{ bytesRead: number }>;
  stat(): Promise<{ isFile(): boolean; size: number }>;
  close(): Promise<void>;
}

/**
 * A read handle over descriptor `fd`, read as a stream (fd 0 through `process.stdin`, so the process keeps
 * one reader of it). `read` fills up to `length` bytes of what arrived (at least one byte unless the stream
 * ended: then 0), ignoring `position` (a stream has none); `stat` says it is not a file; `close` stops reading.
 * Throws (from `read`) the stream's error, e.g. ECONNRESET.
 * @example const h = socketReadHandle(0); const { bytesRead } = await h.read(buf, 0, buf.length, null);
 */
export function socketReadHandle(fd: number): ReadHandle {
  const stream = fd === 0 ? process.stdin : new Socket({ fd, readable: true, writable: false });
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let rest: Buffer | undefined;
  let ended = false;
  return {
    async read(buffer, offset, length) {
      if (rest === undefined || rest.length === 0) {
        if (ended) return { bytesRead: 0 };
        const next = await chunks.next();
        if (next.done === true) {
          ended = true;
          return { bytesRead: 0 };
        }
        rest = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
      const n = Math.min(length, rest.length);
      rest.copy(buffer, offset, 0, n);
      rest = rest.subarray(n);
      return { bytesRead: n };
    },
    async stat() {
      return { isFile: () => false, size: 0 };
    },
    async close() {
      ended = true;
      rest = undefined;
      await chunks.return?.();
      stream.destroy();
    },
  };
}
