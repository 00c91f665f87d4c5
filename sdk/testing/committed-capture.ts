import type { DoFn } from '../dofn.js';
import type { CheckpointingInfo } from '../io/two-phase-commit.js';
import type { PaneInfo } from '../pane.js';
import type { PCollection } from '../pcollection.js';
import type { PTransform } from '../ptransform.js';
import type { Instant } from '../time.js';
import { formatWindow, type BoundedWindow } from '../window.js';
import { CheckpointRecoveryError } from '../errors.js';

/** One output as the committed store keeps it. */
export interface CommittedRecord<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly window: BoundedWindow;
  readonly pane: PaneInfo;
  readonly retraction: boolean;
}

/** The handle a {@link CommittedCapture} sink pre-commits: the key of its prepared records in the store. */
export interface CommittedCaptureHandle {
  /** JSON of `[step, runId, seq]`. */
  readonly id: string;
}

/**
 * What a {@link CommittedCapture} sink has made visible, kept by the test across runs (a crashed run
 * and the run resuming it share one store), like an external system with transactions:
 * - `records`: committed outputs, in commit order (what a reader of the sink would see);
 * - `prepared`: pre-committed outputs by handle id, invisible until committed (a prepared transaction).
 * Compare `lines({ sorted: true })` of a run with crashes to a failure-free run's.
 */
export class CommittedStore<T> {
  readonly records: CommittedRecord<T>[] = [];
  readonly prepared = new Map<string, CommittedRecord<T>[]>();
  /** Handle ids committed so far: committing one again is a no-op. */
  readonly committedIds = new Set<string>();

  /** Committed values, in commit order (retractions excluded). */
  values(): T[] {
    return this.records.filter((r) => !r.retraction).map((r) => r.value);
  }

  /**
   * One line per committed record, e.g. `[…, …) ON_TIME #0 last {"key":"a","value":3}` (`-` before a
   * retraction); sorted when `sorted` (commit order depends on checkpoint timing, content does not).
   */
  lines(options: { sorted?: boolean } = {}): string[] {
    const out = this.records.map(
      (r) => `${r.retraction ? '-' : ''}${formatWindow(r.window)} ${r.pane.timing} #${r.pane.index}${r.pane.isLast ? ' last' : ''} ${JSON.stringify(r.value)}`,
    );
    return options.sorted ? out.sort() : out;
  }
}

/**
 * A test sink whose output is exactly-once under checkpointing: only committed records reach the
 * store. With checkpointing (exactly-once), records since the last checkpoint are held by the sink;
 * `preCommit` moves them to `store.prepared`, `commit` to `store.records`, and `recover` commits the
 * restored checkpoint's handle and drops prepared records a crashed run left (the replay writes them
 * again). At-least-once commits at `preCommit`. Without checkpointing, everything is committed when
 * the run ends `done` (a failed run commits nothing).
 * @example
 * const store = new CommittedStore<KV<string, number>>();
 * counts.apply('Out', CommittedCapture.records(store));
 * // crash, resume with a new pipeline writing into the same store, then:
 * expect(store.lines({ sorted: true })).toEqual(failureFree.lines({ sorted: true }));
 */
export const CommittedCapture = {
  records<T>(store: CommittedStore<T>): PTransform<PCollection<T>, PCollection<never>> {
    return {
      name: 'CommittedCapture',
      expand(input, ctx) {
        const fn = committedCaptureFn(store);
        return ctx.primitive<{ main: never }>({ kind: 'pardo', fn, tags: [], sideInputs: [], deadLetters: false, stateful: false }, [input as PCollection<unknown>], {
          main: { windowing: input.windowing, bounded: input.bounded },
        }).main;
      },
    };
  },
};

function committedCaptureFn<T>(store: CommittedStore<T>): DoFn<T, never> {
  let step = '';
  let checkpointing: CheckpointingInfo | undefined;
  let open: CommittedRecord<T>[] = [];
  const publish = (id: string, records: readonly CommittedRecord<T>[]): void => {
    // One at a time: a spread call takes ~120,000 arguments at most (a commit may hold more records).
    for (const r of records) store.records.push(r);
    store.committedIds.add(id);
  };
  const commit = async (h: CommittedCaptureHandle): Promise<void> => {
    if (store.committedIds.has(h.id)) return;
    const records = store.prepared.get(h.id);
    if (records === undefined) throw new CheckpointRecoveryError(step, `prepared records ${h.id} are gone`);
    store.prepared.delete(h.id);
    publish(h.id, records);
  };
  return {
    setup(ctx) {
      step = ctx.step;
      checkpointing = ctx.checkpointing;
      open = [];
    },
    process(value, c) {
      open.push({ value, timestamp: c.timestamp, window: c.window, pane: c.pane, retraction: c.isRetraction });
    },
    teardown({ outcome }) {
      if (checkpointing === undefined && outcome === 'done') publish(JSON.stringify([step, 'end']), open);
      open = [];
    },
    twoPhaseCommit: {
      async preCommit({ seq }): Promise<CommittedCaptureHandle | undefined> {
        if (open.length === 0) return undefined;
        const id = JSON.stringify([step, checkpointing?.runId ?? '', seq]);
        const records = open;
        open = [];
        if (checkpointing?.guarantee === 'at-least-once') {
          publish(id, records);
          return undefined;
        }
        store.prepared.set(id, records);
        return { id };
      },
      commit,
      async recover(pending: CommittedCaptureHandle | undefined, { committed }) {
        if (pending !== undefined && !committed) await commit(pending);
        for (const id of [...store.prepared.keys()]) if ((JSON.parse(id) as unknown[])[0] === step) store.prepared.delete(id);
      },
      async abort() {
        open = [];
      },
    },
  };
}
