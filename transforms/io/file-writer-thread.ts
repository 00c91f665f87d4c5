import { Worker } from 'node:worker_threads';

/**
 * Writes buffers to an open file on a thread of its own, so a producer that never yields to the
 * event loop (a DoFn emitting millions of lines in one call) still has its output written while it
 * runs. The buffers are slots of one SharedArrayBuffer; hand-over and completion go through shared
 * counters (Atomics), so neither side waits for the other's event loop:
 *
 * - `take()` returns a free slot to fill, and blocks the calling thread while every slot is queued
 *   (backpressure: the file is slower than the producer);
 * - `submit(buf, n, position)` queues `buf[0, n)` to be written at `position` (positional writes, so
 *   any order of completion is fine); the thread starts on the first submit;
 * - `settled()` resolves once everything submitted is written, without blocking;
 * - the first write error stops further writes and is thrown by the next `take`, `submit`,
 *   `check` or `settled`, as an Error with the system error's message and `code` (e.g. ENOSPC).
 *
 * The file descriptor stays the caller's: `close()` stops the thread, not the file.
 * @example
 * const w = new FileWriterThread(fd, 1 << 20);
 * const b = w.take(); const n = b.write('hello\n'); w.submit(b, n, 0);
 * await w.settled(); await w.close();
 */
export class FileWriterThread {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_INTS * 4));
  private readonly jobs: Float64Array;
  private readonly errorText = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
  private readonly slots: Buffer[] = [];
  private readonly slotIndex = new Map<Buffer, number>();
  private readonly free: number[] = [];
  /** Slot of each submitted job, by job number (a ring of `slotCount`): reclaimed in order as jobs finish. */
  private readonly queued: Int32Array;
  private submitted = 0;
  private reclaimed = 0;
  private worker: Worker | undefined;
  private closed = false;

  /**
   * @param fd an open file descriptor, written with positional writes.
   * @param slotBytes size of each buffer handed out by `take`.
   * @param slotCount buffers in all (default 8): at most this many bytes × slotBytes wait for the disk.
   * @throws RangeError for a slot size or count that is not a positive integer.
   */
  constructor(
    private readonly fd: number,
    readonly slotBytes: number,
    readonly slotCount = 8,
  ) {
    if (!(Number.isInteger(slotBytes) && slotBytes > 0)) throw new RangeError(`slotBytes must be a positive integer, got ${slotBytes}`);
    if (!(Number.isInteger(slotCount) && slotCount > 0)) throw new RangeError(`slotCount must be a positive integer, got ${slotCount}`);
    const data = new SharedArrayBuffer(slotBytes * slotCount);
    for (let i = 0; i < slotCount; i++) {
      const b = Buffer.from(data, i * slotBytes, slotBytes);
      this.slots.push(b);
      this.slotIndex.set(b, i);
      this.free.push(slotCount - 1 - i);
    }
    this.jobs = new Float64Array(new SharedArrayBuffer(slotCount * 3 * 8));
    this.queued = new Int32Array(slotCount);
    this.data = data;
  }

  private readonly data: SharedArrayBuffer;

  /** True once the thread has been started (by the first submit). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /**
   * A free buffer of `slotBytes` bytes; blocks while every buffer is queued for writing.
   * @throws the first write error; Error when the thread stops answering for a minute.
   */
  take(): Buffer {
    this.check();
    this.reclaim();
    while (this.free.length === 0) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === this.reclaimed) {
        if (Atomics.wait(this.ctl, DONE, done, STALL_MS) === 'timed-out') throw new Error(`file writer thread: no write finished within ${STALL_MS / 1000} s`);
      }
      this.check();
      this.reclaim();
    }
    return this.slots[this.free.pop()!]!;
  }

  /**
   * Queues `buf[0, n)` (a buffer from `take`, not used again until `take` returns it) to be written
   * at file offset `position`.
   * @throws RangeError for a buffer not from `take`; the first write error.
   */
  submit(buf: Buffer, n: number, position: number): void {
    this.check();
    const slot = this.slotIndex.get(buf);
    if (slot === undefined) throw new RangeError('submit takes a buffer returned by take()');
    if (this.closed) throw new Error('file writer thread is closed');
    this.start();
    this.post(slot, n, position);
  }

  /** Throws the first write error, if there was one. */
  check(): void {
    if (Atomics.load(this.ctl, FAILED) === 0) return;
    const len = Atomics.load(this.ctl, ERROR_LEN);
    const { code, message } = JSON.parse(Buffer.from(this.errorText.slice(0, len)).toString('utf8')) as { code?: string; message: string };
    throw Object.assign(new Error(message), code ? { code } : {});
  }

  /** Resolves once every submitted buffer is written (their slots free again). @throws the first write error. */
  async settled(): Promise<void> {
    const w = this.worker;
    w?.ref();
    try {
      for (;;) {
        const done = Atomics.load(this.ctl, DONE);
        if (done === this.submitted) break;
        const r = waitAsync(this.ctl, DONE, done, STALL_MS);
        if (r.async && (await r.value) === 'timed-out') throw new Error(`file writer thread: no write finished within ${STALL_MS / 1000} s`);
      }
    } finally {
      w?.unref();
    }
    this.reclaim();
    this.check();
  }

  /** Lets the queued writes finish, then stops the thread. Idempotent; does not close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.ref();
    this.post(-1, 0, 0);
    await exited;
  }

  private post(slot: number, n: number, position: number): void {
    const k = (this.submitted % this.slotCount) * 3;
    this.jobs[k] = slot;
    this.jobs[k + 1] = n;
    this.jobs[k + 2] = position;
    if (slot >= 0) this.queued[this.submitted % this.slotCount] = slot;
    this.submitted++;
    Atomics.store(this.ctl, SUBMITTED, this.submitted);
    Atomics.notify(this.ctl, SUBMITTED);
  }

  private reclaim(): void {
    const done = Atomics.load(this.ctl, DONE);
    while (this.reclaimed < done) this.free.push(this.queued[this.reclaimed++ % this.slotCount]!);
  }

  private start(): void {
    if (this.worker) return;
    const w = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { ctl: this.ctl, jobs: this.jobs, data: this.data, errorText: this.errorText, fd: this.fd, slotBytes: this.slotBytes, slotCount: this.slotCount },
      // The thread only writes: keep its heap small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    // An uncaught failure inside the thread is reported like a write error.
    w.on('error', (e) => this.fail(e));
    w.unref();
    this.worker = w;
  }

  private fail(e: unknown): void {
    if (Atomics.load(this.ctl, FAILED) !== 0) return;
    const text = Buffer.from(JSON.stringify({ message: `file writer thread failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 500) }), 'utf8');
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

/** No progress from the thread for this long is reported as an error rather than waited on forever. */
const STALL_MS = 60_000;
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
const { ctl, jobs, data, errorText, fd, slotBytes, slotCount } = workerData;
const bytes = new Uint8Array(data);
let next = 0;
for (;;) {
  if (Atomics.load(ctl, ${SUBMITTED}) === next) {
    Atomics.wait(ctl, ${SUBMITTED}, next);
    continue;
  }
  const k = (next % slotCount) * 3;
  const slot = jobs[k];
  const n = jobs[k + 1];
  const position = jobs[k + 2];
  if (slot < 0) break;
  if (Atomics.load(ctl, ${FAILED}) === 0) {
    try {
      const base = slot * slotBytes;
      for (let off = 0; off < n; ) off += writeSync(fd, bytes, base + off, n - off, position + off);
    } catch (e) {
      const text = Buffer.from(JSON.stringify({ code: e && e.code, message: String(e && e.message || e).slice(0, 500) }), 'utf8');
      errorText.set(text);
      Atomics.store(ctl, ${ERROR_LEN}, text.length);
      Atomics.store(ctl, ${FAILED}, 1);
    }
  }
  next++;
  Atomics.store(ctl, ${DONE}, next);
  Atomics.notify(ctl, ${DONE});
}
`;
