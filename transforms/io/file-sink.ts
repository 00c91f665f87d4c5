import { closeSync } from 'node:fs';
import type { DoFn } from '../../sdk/dofn.js';
import { CheckpointRecoveryError, SinkWriteError, UnsupportedGuaranteeError, WatershedError } from '../../sdk/errors.js';
import type { CheckpointingInfo } from '../../sdk/io/two-phase-commit.js';
import { RejectedElementError } from '../../sdk/internal/rejected-element.js';
import { failpoint } from '../../sdk/testing/failpoints.js';
import { isStreamTarget, openFileSinkTarget, type FileSinkTarget } from './file-sink-target.js';
import type { FileOutputSet } from './file-output-set.js';
import { FileWriterThread, writeAllSync } from './file-writer-thread.js';
import type { LineEncoder } from './line-encoder.js';
import { PartFolder, type PartHandle } from './part-files.js';

/** Slots of `flushBytes` a file sink's writer thread has: at most this many full buffers wait for the disk. */
const SINK_BUFFERS = 8;

/**
 * The file sink. Lines are encoded into buffers of `flushBytes`; a full buffer goes to a writer
 * thread (started at the first full buffer), so the disk works while the runner's thread goes on
 * encoding, even inside one long synchronous emitting loop, where I/O completions of the event loop
 * would never be seen. When all buffers wait for the disk, the runner's thread waits (backpressure).
 * A bundle's last, partial buffer is written on the thread when it runs, else in place (small outputs
 * never start a thread). A regular file is written at positions into its in-progress file, published
 * at teardown when the run is done; other targets are written sequentially, in order, and a slow
 * reader of a pipe is waited for as long as it takes. With `publishWith`, a regular file is not renamed
 * at teardown but flushed and added to that set, which publishes it together with the run's other
 * files (see {@link FileOutputSet}); failpoint `fileSink.publish` is reached just before (for tests).
 *
 * With checkpointing (`SetupContext.checkpointing`) and a path on a file system, `path` is a folder of
 * part files ({@link PartFolder}): bytes go to a hidden in-progress part, opened at the first write after
 * a checkpoint (the writer thread is retargeted to it); `preCommit` seals it (fdatasync, close, fsync
 * of the folder) and returns its handle, `commit` renames it to `part-<subtask>-<seq>`, `recover`
 * finishes the restored checkpoint's part and cleans up after a crashed run. At-least-once publishes
 * at `preCommit`. A pipe, FIFO, terminal or device is refused under exactly-once
 * (UnsupportedGuaranteeError) and written in order under at-least-once.
 */
export function fileSinkFn<T>(path: string, encode: LineEncoder<T>, flushBytes: number, publishWith?: FileOutputSet): DoFn<T, never> {
  let target: FileSinkTarget | undefined;
  /** With checkpointing to a file system: the part folder, and the in-progress part being written. */
  let parts: PartFolder | undefined;
  let part: { fd: number; name: string } | undefined;
  let partsOpened = 0;
  let checkpointing: CheckpointingInfo | undefined;
  let step = '';
  let positional = false;
  let writer: FileWriterThread | undefined;
  /** The buffer being filled; it goes to the file at `position` (or next, for a sequential target). */
  let buf: Buffer = Buffer.alloc(0);
  let used = 0;
  let position = 0;
  let unreported = 0;
  /** Where the next bytes go: their offset in a regular file, null (the current offset) otherwise. */
  const at = (): number | null => (positional ? position : null);
  /** The descriptor bytes go to; with parts, a new in-progress part is opened here at the first write after a checkpoint. */
  const fd = (): number => {
    if (parts === undefined) return target!.fd;
    if (part === undefined) {
      part = parts.create(checkpointing!.runId, ++partsOpened);
      position = 0;
      writer!.retarget(part.fd);
    }
    return part.fd;
  };

  /** Hands the filled buffer to the writer thread (which copies it), or writes it here, and starts it over. */
  const rotate = (inPlace = false): void => {
    if (used === 0) return;
    const to = fd();
    if (inPlace) writeAllSync(to, buf, 0, used, at());
    else writer!.write(buf, used, at());
    position += used;
    unreported += used;
    used = 0;
  };

  /** Everything encoded so far is in the file (or the first write error is thrown). */
  const drained = async (): Promise<void> => {
    // Without a thread yet (a small output), the last partial buffer is written here.
    rotate(!writer!.started);
    if (writer!.started) await writer!.settled();
  };

  /**
   * `encode(value, into, offset)`. An element it cannot encode (it throws: a BigInt or a cycle for
   * JSON.stringify, a toJSON that throws, a format giving no string) is rejected: a dead letter with
   * reason `unencodable`, the step and path as its origin, and the run goes on.
   */
  const encodeOrReject = (value: T, into: Buffer, offset: number): number => {
    try {
      return encode(value, into, offset);
    } catch (e) {
      throw new RejectedElementError('unencodable', `step '${step}' cannot encode an element as a line of ${path}: ${e instanceof Error ? e.message : String(e)}`, { step, path });
    }
  };
  /** A file system error of this sink (ENOSPC, EACCES, EIO, ...) as a SinkWriteError naming the step and path; typed errors pass. */
  const sinkError = (e: unknown): unknown => (e instanceof WatershedError ? e : new SinkWriteError(step, path, e));
  /** Runs `f`, which writes or publishes: its file system errors become SinkWriteErrors. */
  const writing = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      throw sinkError(e);
    }
  };
  const writingAsync = async <R>(f: () => Promise<R>): Promise<R> => {
    try {
      return await f();
    } catch (e) {
      throw sinkError(e);
    }
  };

  return {
    async setup(ctx) {
      checkpointing = ctx.checkpointing;
      step = ctx.step;
      buf = Buffer.allocUnsafe(flushBytes);
      used = 0;
      position = 0;
      if (checkpointing !== undefined) {
        if (!(await isStreamTarget(path))) {
          parts = await writingAsync(() => PartFolder.open(ctx.step, path, checkpointing!.subtask));
          part = undefined;
          partsOpened = 0;
          positional = true;
          writer = new FileWriterThread(-1, flushBytes, SINK_BUFFERS);
          return;
        }
        if (checkpointing.guarantee === 'exactly-once') {
          throw new UnsupportedGuaranteeError(ctx.step, path, 'exactly-once', 'it is a pipe, FIFO, terminal or device, which shows every byte as soon as it is written, so output cannot wait until its checkpoint completes');
        }
      }
      target = await writingAsync(() => openFileSinkTarget(path));
      positional = target.positional;
      writer = new FileWriterThread(target.fd, flushBytes, SINK_BUFFERS, undefined, target.positional ? undefined : Infinity);
    },
    process(value) {
      let end = encodeOrReject(value, buf, used);
      if (end >= 0) {
        used = end;
        return;
      }
      writing(() => rotate());
      end = encodeOrReject(value, buf, 0);
      if (end >= 0) {
        used = end;
        return;
      }
      // A line longer than a buffer: encoded on its own.
      let big = Buffer.allocUnsafe(flushBytes * 2);
      while ((end = encodeOrReject(value, big, 0)) < 0) big = Buffer.allocUnsafe(big.length * 2);
      writing(() => {
        fd();
        writer!.write(big, end, at());
      });
      position += end;
      unreported += end;
    },
    async finishBundle(ctx) {
      await writingAsync(drained);
      if (unreported > 0) ctx.metrics.counter('bytesWritten').inc(unreported);
      unreported = 0;
    },
    async teardown({ outcome }) {
      let failure: unknown;
      try {
        if (writer !== undefined && (target !== undefined || (parts !== undefined && outcome === 'done'))) await drained();
      } catch (e) {
        failure = sinkError(e);
      }
      await writer?.close();
      writer = undefined;
      if (parts !== undefined) {
        // Output is published only by commit. A part written after the last checkpoint is kept hidden
        // after a done run (the next run's recover removes it) and removed otherwise.
        const p = part;
        part = undefined;
        const folder = parts;
        parts = undefined;
        if (p !== undefined) {
          if (outcome === 'done' && failure === undefined) closeSync(p.fd);
          else await folder.discard(p.fd, p.name);
        }
        if (failure !== undefined) throw failure;
        return;
      }
      const t = target;
      target = undefined;
      if (t === undefined) return;
      // Only a run that read and wrote everything publishes its file (or hands it to its set, which publishes it with the others).
      if (outcome === 'done' && failure === undefined) {
        try {
          failpoint('fileSink.publish', path);
          if (publishWith !== undefined && t.file !== undefined) return await publishWith.add(t.file, sinkError);
          return await t.commit();
        } catch (e) {
          await t.abort();
          throw sinkError(e);
        }
      }
      await t.abort();
      if (failure !== undefined) throw failure;
    },
    twoPhaseCommit: {
      async preCommit({ seq }): Promise<PartHandle | undefined> {
        await writingAsync(drained);
        // A stream (at-least-once) has been written in order already.
        if (parts === undefined || part === undefined) return undefined;
        const p = part;
        part = undefined;
        const folder = parts;
        const handle = await writingAsync(() => folder.seal(p.fd, p.name, seq, position));
        position = 0;
        if (checkpointing!.guarantee === 'exactly-once') return handle;
        await writingAsync(() => folder.publish(handle));
        return undefined;
      },
      async commit(handle: PartHandle) {
        if (parts === undefined) throw new CheckpointRecoveryError(step, `${path} is not a part folder now, but a checkpoint holds its part ${handle.part}`);
        const folder = parts;
        await writingAsync(() => folder.publish(handle));
      },
      async recover(pending: PartHandle | undefined, ctx) {
        if (parts === undefined) {
          if (pending !== undefined) throw new CheckpointRecoveryError(step, `${path} is not a part folder now, but the checkpoint holds its part ${pending.part}`);
          return;
        }
        await parts.recover(pending, ctx, checkpointing!.runId);
      },
      async abort() {
        used = 0;
        const p = part;
        part = undefined;
        if (p === undefined || parts === undefined) return;
        await writer?.settled().catch(() => undefined);
        await parts.discard(p.fd, p.name);
      },
    },
  };
}
