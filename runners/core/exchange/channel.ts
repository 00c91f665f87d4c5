import type { WindowedValue } from '../../../sdk/windowed-value.js';
import type { WatermarkStatus } from './watermark-valve.js';

/**
 * A bounded FIFO from one upstream instance to one downstream instance across a cut (design:
 * docs/design/scale-out.md §3.2, §3.5). It carries, in the order they were written:
 * - `data`: a batch of windowed values (window, pane and retraction flag travel with each value);
 * - `watermark`: the upstream instance's watermark status (watermark and idle flag), written after the
 *   data it covers, so a reader never sees a watermark before the records below it;
 * - `end`: the upstream instance is done; nothing follows.
 *
 * Backpressure is by promise, the convention of `OutputPort.takePending`: `write` returns `undefined`
 * while the channel has room, and a promise once the write filled it (`size ≥ capacity` records). The
 * writer must wait for that promise, which resolves when the reader has taken enough batches to bring
 * `size` below `capacity`, before writing data again: a `write` on a full channel throws
 * (`ChannelError` 'full') instead of growing it. A write on a channel with room is always taken whole,
 * so the channel holds at most `capacity - 1 +` the last batch's length records. Watermark statuses
 * and the end marker take no room and are always accepted: the writer sends one per pass, and a writer
 * waiting on backpressure makes no passes. Nothing written is ever dropped.
 *
 * The reader polls: `read()` returns the next message, or `undefined` when there is none yet;
 * `whenReadable()` returns `undefined` when `read()` has something, else a promise that resolves at
 * the next write, status or end. Once the end marker is read, `done` is true and every later `read()`
 * returns the end marker again. The channel takes the written arrays as they are (no copy): the writer
 * must not change a batch after writing it. There is no clock here, and no serialisation (the inline
 * executor's codec and threads' transfer come in later steps).
 *
 * @example
 * const ch = createChannel<number>(1000);
 * const wait = ch.write(batch);                 // undefined, or a promise when the channel is now full
 * ch.writeWatermark({ watermark: 5000, idle: false });
 * if (wait) await wait;                         // the writer suspends until the reader made room
 * ch.read();                                    // { kind: 'data', values: batch }
 * ch.read();                                    // { kind: 'watermark', status: { watermark: 5000, idle: false } }
 */

export type ChannelMessage<T> =
  | { readonly kind: 'data'; readonly values: readonly WindowedValue<T>[] }
  | { readonly kind: 'watermark'; readonly status: WatermarkStatus }
  | { readonly kind: 'end' };

export interface Channel<T> {
  /** Records (not batches) at which the channel is full. */
  readonly capacity: number;
  /** Records in the data batches written and not read yet. */
  readonly size: number;
  /** `size ≥ capacity`: the writer waits before writing data again. */
  readonly full: boolean;
  /** The writer called `end()`. */
  readonly ended: boolean;
  /** The reader has read the end marker. */
  readonly done: boolean;
  /**
   * Appends a batch of values. Returns `undefined` when the channel still has room afterwards, else a
   * promise that resolves once the reader has brought `size` below `capacity`. An empty batch adds nothing.
   * @throws ChannelError 'full' when the channel is full (the writer did not wait), 'ended' after `end()`.
   */
  write(values: readonly WindowedValue<T>[]): Promise<void> | undefined;
  /**
   * Appends a watermark status, after everything written before it. Never waits.
   * @throws ChannelError 'ended' after `end()`.
   */
  writeWatermark(status: WatermarkStatus): void;
  /** Appends the end marker: nothing may be written after it. @throws ChannelError 'ended' when called twice. */
  end(): void;
  /** The oldest message not read yet, or `undefined` when there is none; the end marker again once it was read. */
  read(): ChannelMessage<T> | undefined;
  /** `undefined` when `read()` would return a message, else a promise that resolves when one is written. */
  whenReadable(): Promise<void> | undefined;
}

/** What a `ChannelError` is about. */
export type ChannelProblem = 'capacity' | 'full' | 'ended';

/** A channel used against its contract: a bug in the executor using it, never caused by a record. */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  constructor(
    readonly problem: ChannelProblem,
    message: string,
  ) {
    super(message);
  }
}

const END = { kind: 'end' } as const;

/**
 * An empty channel that is full at `capacity` records (see the module comment).
 * @throws ChannelError 'capacity' when `capacity` is not an integer of at least 1.
 */
export function createChannel<T>(capacity: number): Channel<T> {
  if (!Number.isInteger(capacity) || capacity < 1) throw new ChannelError('capacity', `a channel's capacity must be an integer of at least 1 record, got ${capacity}`);
  let queue: ChannelMessage<T>[] = [];
  let head = 0;
  let size = 0;
  let ended = false;
  let done = false;
  let roomWaiter: { promise: Promise<void>; resolve: () => void } | undefined;
  let dataWaiter: { promise: Promise<void>; resolve: () => void } | undefined;

  const append = (m: ChannelMessage<T>) => {
    queue.push(m);
    if (dataWaiter) {
      const w = dataWaiter;
      dataWaiter = undefined;
      w.resolve();
    }
  };
  const refuseAfterEnd = (what: string) => {
    if (ended) throw new ChannelError('ended', `cannot write ${what} to a channel after its end marker`);
  };

  return {
    capacity,
    get size() {
      return size;
    },
    get full() {
      return size >= capacity;
    },
    get ended() {
      return ended;
    },
    get done() {
      return done;
    },
    write(values) {
      refuseAfterEnd('data');
      if (size >= capacity) throw new ChannelError('full', `the channel is full (${size} of ${capacity} records): the writer must wait for the promise of its last write`);
      if (values.length === 0) return undefined;
      size += values.length;
      append({ kind: 'data', values });
      if (size < capacity) return undefined;
      const w = Promise.withResolvers<void>();
      roomWaiter = w;
      return w.promise;
    },
    writeWatermark(status) {
      refuseAfterEnd('a watermark status');
      append({ kind: 'watermark', status });
    },
    end() {
      refuseAfterEnd('a second end marker');
      ended = true;
      append(END);
    },
    read() {
      if (done) return END;
      if (head === queue.length) return undefined;
      const m = queue[head]!;
      queue[head++] = undefined as never;
      // Drop the read prefix now and then, so a long-lived channel does not keep a growing array.
      if (head >= 1024 && head * 2 >= queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      if (m.kind === 'end') done = true;
      else if (m.kind === 'data') {
        size -= m.values.length;
        if (roomWaiter && size < capacity) {
          const w = roomWaiter;
          roomWaiter = undefined;
          w.resolve();
        }
      }
      return m;
    },
    whenReadable() {
      if (done || head < queue.length) return undefined;
      dataWaiter ??= Promise.withResolvers<void>();
      return dataWaiter.promise;
    },
  };
}
