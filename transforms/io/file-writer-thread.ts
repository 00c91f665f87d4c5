import { writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/**
 * Writes buffers to an open file on a thread of its own, so a producer that never yields to the
 * event loop (a DoFn emitting millions of lines in one call) still has its output written while it
 * runs. Bytes are handed over in slots of one SharedArrayBuffer; hand-over and completion go through
 * shared counters (Atomics), so neither side waits for the other's event loop:
 *
 * - `write(data, n, position)` copies `data[0, n)` into free slots and queues them to be written at
 *   `position` (positional writes, for regular files), or with `position` null at the descriptor's
 *   current offset (sequential writes, for pipes, FIFOs, sockets and devices, which cannot seek);
 *   jobs are written one after another in the order queued; it blocks the calling thread while every
 *   slot waits for the disk (backpressure); the thread starts on the first call;
 * - `retarget(fd)` sends later writes to another descriptor, keeping the thread (a sink's next part);
 * - `settled()` resolves once everything queued is written, without blocking;
 * - the first write error stops further writes and is thrown by the next `write`, `check` or
 *   `settled`, as an Error with the system error's message and `code` (e.g. ENOSPC).
 *
 * The caller encodes into a buffer of its own and hands it over when full: writing many small pieces
 * straight into shared memory is slower (V8 copies into a SharedArrayBuffer with relaxed atomics),
 * while one copy of 1 MiB costs tens of microseconds.
 *
 * The file descriptor stays the caller's: `close()` stops the thread, not the file.
 * @example
 * const w = new FileWriterThread(fd, 1 << 20);
 * w.write(Buffer.from('hello\n'), 6, 0);
 * await w.settled(); await w.close();
 */
export class FileWriterThread {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  private readonly jobs: Float64Array;
  private readonly errorText = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  /** The slots, in one SharedArrayBuffer made when the thread starts (a sink that never fills a buffer needs none). */
  private slots: Buffer[] = [];
  private readonly free: number[] = [];
  /** Jobs the rings hold: one per slot, plus a retarget and the stop job. */
  private readonly ring: number;
  /** Slot of each submitted job, by job number (a ring): reclaimed in order as jobs finish. */
  private readonly queued: Int32Array;
  private submitted = 0;
  private reclaimed = 0;
  private worker: Worker | undefined;
  private exited: Promise<void> | undefined;
  private hasExited = false;
  /** Callers awaiting the thread: it keeps the process alive only while there are some. */
  private holds = 0;
  private closed = false;

  /**
   * @param fd an open file descriptor, written with positional writes.
   * @param slotBytes size of each slot: the most one write to the file carries.
   * @param slotCount buffers in all (default 8): at most this many bytes × slotBytes wait for the disk.
   * @param threadSource the thread's script (default the writer); a fault-injection seam for tests.
   * @param stallMs how long without a finished write is reported as an error (default a minute);
   *   `Infinity` waits as long as it takes, right for a pipe whose reader may pause.
   * @throws RangeError for a slot size or count that is not a positive integer.
   */
  constructor(
    private fd: number,
    readonly slotBytes: number,
    readonly slotCount = 8,
    private readonly threadSource = WRITER_SOURCE,
    private readonly stallMs = STALL_MS,
  ) {
    if (!(Number.isInteger(slotBytes) && slotBytes > 0)) throw new RangeError(`slotBytes must be a positive integer, got ${slotBytes}`);
    if (!(Number.isInteger(slotCount) && slotCount > 0)) throw new RangeError(`slotCount must be a positive integer, got ${slotCount}`);
    this.ring = slotCount + 2;
    this.jobs = new Float64Array(new SharedArrayBuffer(this.ring * 3 * 8));
    this.queued = new Int32Array(this.ring);
  }

  /** True once the thread has been started (by the first write). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Queues `data[0, length)` to be written at file offset `position`, or at the descriptor's current
   * offset when `position` is null (sequentially, after everything queued before): the bytes are
   * copied into free slots (a slot's worth at a time), so `data` may be reused at once. Blocks while
   * every slot waits for the disk. The thread starts on the first call.
   * @throws the first write error; Error when closed, or when the thread finishes no write for `stallMs`.
   */
  write(data: Uint8Array, length: number, position: number | null): void {
    this.check();
    if (this.closed) throw new Error('file writer thread is closed');
    this.start();
    for (let off = 0; off < length; ) {
      const slot = this.freeSlot();
      const n = Math.min(this.slotBytes, length - off);
      this.slots[slot]!.set(off === 0 && n === data.length ? data : data.subarray(off, off + n), 0);
      this.post(slot, n, position === null ? SEQUENTIAL : position + off);
      off += n;
    }
  }

  /**
   * Writes every later `write` to `fd` instead (a sink moving on to its next part file). Jobs queued
   * before go to the previous descriptor: this waits (blocking, like `write`) until they are written.
   * The descriptors stay the caller's.
   * @throws the first write error; Error when closed, or when the thread finishes no write for `stallMs`.
   */
  retarget(fd: number): void {
    this.check();
    if (this.closed) throw new Error('file writer thread is closed');
    if (fd === this.fd) return;
    this.fd = fd;
    if (!this.worker) return;
    for (let done = Atomics.load(this.ctl, DONE); done < this.submitted; done = Atomics.load(this.ctl, DONE)) {
      if (Atomics.wait(this.ctl, DONE, done, this.stallMs) === 'timed-out') throw new Error(`file writer thread: no write finished within ${this.stallMs / 1000} s`);
    }
    this.check();
    this.reclaim();
    this.post(RETARGET, fd, 0);
  }

  /** A free slot, waiting for the thread to finish one if none is. */
  private freeSlot(): number {
    this.reclaim();
    while (this.free.length === 0) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === this.reclaimed) {
        if (Atomics.wait(this.ctl, DONE, done, this.stallMs) === 'timed-out') throw new Error(`file writer thread: no write finished within ${this.stallMs / 1000} s`);
      }
      this.check();
      this.reclaim();
    }
    return this.free.pop()!;
  }

  /** Throws the first write error, if there was one. */
  check(): void {
    if (Atomics.load(this.ctl, FAILED) === 0) return;
    const text = Buffer.from(this.errorText.slice(0, Atomics.load(this.ctl, ERROR_LEN))).toString('utf8');
    const cut = text.indexOf('\u0000');
    const code = cut > 0 ? text.slice(0, cut) : '';
    throw Object.assign(new Error(text.slice(cut + 1)), code ? { code } : {});
  }

  /** Resolves once everything queued by `write` is in the file. @throws the first write error. */
  async settled(): Promise<void> {
    this.hold();
    try {
      for (;;) {
        const done = Atomics.load(this.ctl, DONE);
        if (done >= this.submitted || Atomics.load(this.ctl, FAILED) !== 0) break;
        const r = waitAsync(this.ctl, DONE, done, this.stallMs);
        if (r.async && (await r.value) === 'timed-out') throw new Error(`file writer thread: no write finished within ${this.stallMs / 1000} s`);
      }
    } finally {
      this.release();
    }
    this.reclaim();
    this.check();
  }

  /** Lets the queued writes finish, then stops the thread. Idempotent; does not close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.worker || this.hasExited) return;
    this.hold();
    try {
      this.post(-1, 0, 0);
      await this.exited;
    } finally {
      this.release();
    }
  }

  private post(slot: number, n: number, position: number): void {
    const k = (this.submitted % this.ring) * 3;
    this.jobs[k] = slot;
    this.jobs[k + 1] = n;
    this.jobs[k + 2] = position;
    this.queued[this.submitted % this.ring] = slot;
    this.submitted++;
    Atomics.store(this.ctl, SUBMITTED, this.submitted);
    Atomics.notify(this.ctl, SUBMITTED);
  }

  private reclaim(): void {
    const done = Math.min(Atomics.load(this.ctl, DONE), this.submitted);
    while (this.reclaimed < done) {
      const slot = this.queued[this.reclaimed++ % this.ring]!;
      if (slot >= 0) this.free.push(slot);
    }
  }

  private hold(): void {
    if (this.holds++ === 0) this.worker?.ref();
  }

  private release(): void {
    if (--this.holds === 0) this.worker?.unref();
  }

  private start(): void {
    if (this.worker) return;
    const data = new SharedArrayBuffer(this.slotBytes * this.slotCount);
    for (let i = 0; i < this.slotCount; i++) {
      this.slots.push(Buffer.from(data, i * this.slotBytes, this.slotBytes));
      this.free.push(this.slotCount - 1 - i);
    }
    const w = new Worker(this.threadSource, {
      eval: true,
      workerData: { ctl: this.ctl, jobs: this.jobs, data, errorText: this.errorText, fd: this.fd, slotBytes: this.slotBytes, ring: this.ring },
    });
    // A failure of the thread itself (it could not start, say) is reported like a write error.
    w.on('error', (e) => this.fail(e));
    this.exited = new Promise<void>((resolve) =>
      w.once('exit', () => {
        this.hasExited = true;
        this.fail(new Error('the thread stopped'));
        resolve();
      }),
    );
    if (this.holds === 0) w.unref();
    this.worker = w;
  }

  /** Records `e` as the failure, unless the thread recorded one or was asked to stop; wakes anyone waiting. */
  private fail(e: unknown): void {
    if (Atomics.load(this.ctl, FAILED) !== 0 || (this.closed && this.hasExited)) return;
    const text = Buffer.from(`\u0000file writer thread failed: ${e instanceof Error ? e.message : String(e)}`, 'utf8').subarray(0, ERROR_BYTES);
    this.errorText.set(text);
    Atomics.store(this.ctl, ERROR_LEN, text.length);
    Atomics.store(this.ctl, FAILED, 1);
    // Nothing more will be written: count every job as done so no one waits for it.
    Atomics.store(this.ctl, DONE, this.submitted);
    Atomics.notify(this.ctl, DONE);
  }
}

/** `Atomics.waitAsync` (Node >= 16; typed in TypeScript's ES2024 lib, newer than this project's). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
}).waitAsync;

/**
 * Writes `data[offset, offset + length)` to `fd` at `position`, or at the current offset when
 * `position` is null, completing short writes. A descriptor in non-blocking mode (Node sets it on a
 * stdout pipe or socket it uses) answers EAGAIN when full: then this waits a millisecond and retries,
 * blocking the calling thread like a blocking write would. The writer thread does the same.
 * @throws the system error of a failed write (e.g. ENOSPC, EPIPE).
 * @example writeAllSync(fd, Buffer.from('a line\n'), 0, 7, null)
 */
export function writeAllSync(fd: number, data: Uint8Array, offset: number, length: number, position: number | null): void {
  for (let off = 0; off < length; ) {
    try {
      off += writeSync(fd, data, offset + off, length - off, position === null ? null : position + off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(PAUSE, 0, 0, 1);
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** No progress from the thread for this long is reported as an error rather than waited on forever. */
const STALL_MS = 60_000;
/** The slot of a job that switches the thread to another descriptor (its length field). */
const RETARGET = -2;
/** The position of a job written at the descriptor's current offset. */
const SEQUENTIAL = -1;
const ERROR_BYTES = 2048;
// Indexes of the shared control counters.
const SUBMITTED = 0;
const DONE = 1;
const FAILED = 2;
const ERROR_LEN = 3;
const CTL_INTS = 4;

/**
 * The thread's code, run as a CommonJS script (`eval`), so it needs no module resolution and works the
 * same under tsx, vitest and compiled JavaScript. Jobs are taken in submission order; a job with slot
 * -1 stops the thread. After the first error, jobs are counted as done without being written.
 */
const WRITER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { ctl, jobs, data, errorText, slotBytes, ring } = workerData;
let fd = workerData.fd;
const bytes = new Uint8Array(data);
const pause = new Int32Array(new SharedArrayBuffer(4));
// Positional writes for position >= 0, sequential ones (position ${SEQUENTIAL}) at the current offset;
// EAGAIN (a non-blocking pipe or socket that is full) is waited out, as in writeAllSync.
const writeAll = (from, n, position) => {
  for (let off = 0; off < n; ) {
    try {
      off += writeSync(fd, bytes, from + off, n - off, position < 0 ? null : position + off);
    } catch (e) {
      if (!e || e.code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
};
const fail = (e) => {
  const text = Buffer.from(String((e && e.code) || '') + '\\u0000' + String((e && e.message) || e), 'utf8').subarray(0, ${ERROR_BYTES});
  errorText.set(text);
  Atomics.store(ctl, ${ERROR_LEN}, text.length);
  Atomics.store(ctl, ${FAILED}, 1);
};
let next = 0;
try {
  for (;;) {
    if (Atomics.load(ctl, ${SUBMITTED}) === next) {
      Atomics.wait(ctl, ${SUBMITTED}, next);
      continue;
    }
    const k = (next % ring) * 3;
    const slot = jobs[k];
    const n = jobs[k + 1];
    const position = jobs[k + 2];
    if (slot === ${RETARGET}) fd = n;
    else if (slot >= 0 && Atomics.load(ctl, ${FAILED}) === 0) {
      try {
        writeAll(slot * slotBytes, n, position);
      } catch (e) {
        fail(e);
      }
    }
    next++;
    Atomics.store(ctl, ${DONE}, next);
    Atomics.notify(ctl, ${DONE});
    if (slot === -1) break;
  }
} catch (e) {
  // Anything else: report it, and count every job as done so the producer stops waiting.
  fail(e);
  Atomics.store(ctl, ${DONE}, Atomics.load(ctl, ${SUBMITTED}));
  Atomics.notify(ctl, ${DONE});
}
`;
