import { Worker } from 'node:worker_threads';

/**
 * Writes buffers to an open file on a thread of its own, so a producer that never yields to the
 * event loop (a DoFn emitting millions of lines in one call) still has its output written while it
 * runs. Bytes are handed over in slots of one SharedArrayBuffer; hand-over and completion go through
 * shared counters (Atomics), so neither side waits for the other's event loop:
 *
 * - `write(data, n, position)` copies `data[0, n)` into free slots and queues them to be written at
 *   `position` (positional writes, so any order of completion is fine); it blocks the calling thread
 *   while every slot waits for the disk (backpressure); the thread starts on the first call;
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
  private readonly slots: Buffer[] = [];
  private readonly free: number[] = [];
  /** Jobs the rings hold: one per slot, plus the stop job. */
  private readonly ring: number;
  /** Slot of each submitted job, by job number (a ring): reclaimed in order as jobs finish. */
  private readonly queued: Int32Array;
  private submitted = 0;
  private reclaimed = 0;
  private worker: Worker | undefined;
  private closed = false;

  /**
   * @param fd an open file descriptor, written with positional writes.
   * @param slotBytes size of each slot: the most one write to the file carries.
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
      this.free.push(slotCount - 1 - i);
    }
    this.ring = slotCount + 1;
    this.jobs = new Float64Array(new SharedArrayBuffer(this.ring * 3 * 8));
    this.queued = new Int32Array(this.ring);
    this.data = data;
  }

  private readonly data: SharedArrayBuffer;

  /** True once the thread has been started (by the first write). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Queues `data[0, length)` to be written at file offset `position`: the bytes are copied into free
   * slots (a slot's worth at a time), so `data` may be reused at once. Blocks while every slot
   * waits for the disk. The thread starts on the first call.
   * @throws the first write error; Error when closed, or when the thread finishes no write for a minute.
   */
  write(data: Uint8Array, length: number, position: number): void {
    this.check();
    if (this.closed) throw new Error('file writer thread is closed');
    this.start();
    for (let off = 0; off < length; ) {
      const slot = this.freeSlot();
      const n = Math.min(this.slotBytes, length - off);
      this.slots[slot]!.set(off === 0 && n === data.length ? data : data.subarray(off, off + n), 0);
      this.post(slot, n, position + off);
      off += n;
    }
  }

  /** A free slot, waiting for the thread to finish one if none is. */
  private freeSlot(): number {
    this.reclaim();
    while (this.free.length === 0) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === this.reclaimed) {
        if (Atomics.wait(this.ctl, DONE, done, STALL_MS) === 'timed-out') throw new Error(`file writer thread: no write finished within ${STALL_MS / 1000} s`);
      }
      this.check();
      this.reclaim();
    }
    return this.free.pop()!;
  }

  /** Throws the first write error, if there was one. */
  check(): void {
    if (Atomics.load(this.ctl, FAILED) === 0) return;
    const len = Atomics.load(this.ctl, ERROR_LEN);
    const { code, message } = JSON.parse(Buffer.from(this.errorText.slice(0, len)).toString('utf8')) as { code?: string; message: string };
    throw Object.assign(new Error(message), code ? { code } : {});
  }

  /** Resolves once everything queued by `write` is in the file. @throws the first write error. */
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
    const k = (this.submitted % this.ring) * 3;
    this.jobs[k] = slot;
    this.jobs[k + 1] = n;
    this.jobs[k + 2] = position;
    if (slot >= 0) this.queued[this.submitted % this.ring] = slot;
    this.submitted++;
    Atomics.store(this.ctl, SUBMITTED, this.submitted);
    Atomics.notify(this.ctl, SUBMITTED);
  }

  private reclaim(): void {
    const done = Atomics.load(this.ctl, DONE);
    while (this.reclaimed < done) this.free.push(this.queued[this.reclaimed++ % this.ring]!);
  }

  private start(): void {
    if (this.worker) return;
    const w = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: { ctl: this.ctl, jobs: this.jobs, data: this.data, errorText: this.errorText, fd: this.fd, slotBytes: this.slotBytes, ring: this.ring },
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
const { ctl, jobs, data, errorText, fd, slotBytes, ring } = workerData;
const bytes = new Uint8Array(data);
let next = 0;
for (;;) {
  if (Atomics.load(ctl, ${SUBMITTED}) === next) {
    Atomics.wait(ctl, ${SUBMITTED}, next);
    continue;
  }
  const k = (next % ring) * 3;
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
