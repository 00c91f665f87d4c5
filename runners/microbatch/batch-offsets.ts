import { isDeepStrictEqual } from 'node:util';
import type { RunCheckpoints } from '../core/checkpoint/checkpoint-coordinator.js';
import { OffsetLog, type OffsetEntry, type OffsetRange } from '../core/checkpoint/offset-log.js';
import type { Engine, ReadSlot } from '../core/engine.js';
import type { SourcePump } from '../core/source-pump.js';
import { ownField } from '../../sdk/internal/own-field.js';

/**
 * Polls of a source that is held for replay but stays short of its logged position without moving
 * (its position never matches the logged one): after this many, the replay is given up.
 */
const STALLED_POLLS = 200;

/**
 * The micro-batch offset log of one run (design §e), used only with checkpointing: writes an entry
 * when a batch's input is fixed, before the batch runs; and, when the run resumes, replays the
 * batches logged after the restored checkpoint with their logged input, processing time and
 * watermarks, so batch boundaries (and the panes of count and early triggers) are those of the
 * attempt that crashed.
 *
 * Replay holds every source at the batch's logged end with `stopAt(to)` (the first batch's limit is
 * set before the pumps poll anything), gathers until each Read's position deep-equals `to`
 * (`util.isDeepStrictEqual`), and lifts the limits after the last logged batch. A logged entry is
 * replayed only if it continues where the run stands (its `from` equals the restored position, or
 * the previous entry's `to`): entries of another attempt (say, a native run resumed in between) are
 * dropped with a warning. Sources without `stopAt`, and a source that never reaches its logged
 * position, fall back to normal batching with a warning: two-phase-commit sinks keep the output
 * exactly-once, only batch-dependent panes may differ.
 *
 * @example
 * const offsets = await BatchOffsets.open({ engine, pumps, checkpoints }); // before the pumps start
 * // per batch: offsets.begin(id) → gather (replaying: until offsets.reached()) → await offsets.fixed(id, startedAt, pt, rows) → pass → offsets.end()
 */
export class BatchOffsets {
  private current: OffsetEntry | undefined;
  private from: unknown[] = [];
  private readonly still: number[];
  private readonly seen: unknown[];

  private constructor(
    private readonly log: OffsetLog,
    private readonly reads: readonly ReadSlot[],
    private readonly pumps: readonly SourcePump[],
    private readonly checkpoints: RunCheckpoints,
    /** The logged batches still to replay, in order. */
    private readonly plan: OffsetEntry[],
  ) {
    this.still = reads.map(() => 0);
    this.seen = reads.map(() => undefined);
  }

  /**
   * Reads the offset log after the restored checkpoint's batch, keeps the entries that continue from
   * where the run stands, deletes the others (they belong to another attempt, and this run writes
   * those batch ids afresh), and holds the sources at the first replayed batch's end. Call after
   * the readers opened and before their pumps start.
   * @throws CheckpointWriteError when the store fails.
   */
  static async open(run: { readonly engine: Engine; readonly pumps: readonly SourcePump[]; readonly checkpoints: RunCheckpoints }): Promise<BatchOffsets | undefined> {
    const { engine, pumps, checkpoints } = run;
    const log = checkpoints.offsetLog;
    if (log === undefined) return undefined;
    const reads = engine.reads;
    const first = checkpoints.restoredBatch === undefined ? 0 : checkpoints.restoredBatch.batchId + 1;
    const { entries, defect } = await log.entriesAfter(first - 1);
    const restored = checkpoints.restoredPositions;
    // Where each read stands: the restored checkpoint's position (as logged) or the reopened reader's.
    let at: unknown[][] = reads.map((r) => [restored?.[r.node.fullName], r.position].filter((p) => p !== undefined));
    const plan: OffsetEntry[] = [];
    let why = defect;
    for (const e of entries) {
      const steps = Object.keys(e.ranges);
      if (steps.length !== reads.length || reads.some((r) => e.ranges[r.node.fullName] === undefined)) {
        why = `${OffsetLog.entryName(e.batchId)} logs the sources ${steps.map((s) => `'${s}'`).join(', ')}, not this pipeline's`;
        break;
      }
      const stray = reads.find((r, i) => !at[i]!.some((p) => isDeepStrictEqual(p, e.ranges[r.node.fullName]!.from)));
      if (stray !== undefined) {
        why = `${OffsetLog.entryName(e.batchId)} does not continue from where source '${stray.node.fullName}' stands (it was logged by another attempt)`;
        break;
      }
      plan.push(e);
      at = reads.map((r) => [e.ranges[r.node.fullName]!.to]);
    }
    const unheld = plan.length === 0 ? undefined : reads.find((r) => typeof r.reader?.stopAt !== 'function');
    if (unheld !== undefined) {
      checkpoints.warn(
        `source '${unheld.node.fullName}' cannot be held at a position (its reader has no stopAt): the ${plan.length} batch(es) logged after batch ${first - 1} run with new boundaries; ` +
          'the output stays exactly-once, but panes that depend on batching may differ',
      );
      plan.length = 0;
    } else if (why !== undefined) {
      checkpoints.warn(`offset log: ${why}; batches from ${plan.length === 0 ? first : plan.at(-1)!.batchId + 1} on are not replayed and get new boundaries`);
    }
    // Entries not replayed are of another attempt: this run logs those batch ids afresh.
    await log.deleteAfter(plan.length === 0 ? first - 1 : plan.at(-1)!.batchId);
    const offsets = new BatchOffsets(log, reads, pumps, checkpoints, plan);
    if (plan.length > 0) offsets.hold(plan[0]!);
    return offsets;
  }

  /** True while the current batch replays a logged one. */
  get replaying(): boolean {
    return this.current !== undefined;
  }

  /** The batch `batchId` begins gathering: remembers where each source stands, and holds them at its logged end when it is replayed. */
  begin(batchId: number): void {
    this.from = this.reads.map((r) => r.position ?? null);
    const next = this.plan[0];
    if (next === undefined) return;
    if (next.batchId !== batchId) {
      this.abandon(`batch ${batchId} began where logged batch ${next.batchId} was expected`);
      return;
    }
    this.current = next;
    this.still.fill(0);
    this.seen.fill(undefined);
    this.hold(next);
  }

  /** Replaying: read `i` handed over a batch (tracks sources that stay short of their logged position). */
  took(i: number): void {
    if (this.current === undefined) return;
    const p = this.reads[i]!.position;
    if (isDeepStrictEqual(p, this.seen[i])) this.still[i]!++;
    else {
      this.still[i] = 0;
      this.seen[i] = p;
    }
  }

  /** Replaying: every source reached the batch's logged end (a source logged as done must be done). */
  reached(): boolean {
    const e = this.current;
    return e === undefined || this.reads.every((r) => this.reachedRange(r, e.ranges[r.node.fullName]!));
  }

  /**
   * Replaying: the batch went off its log, having taken more than the logged `rows` (a source read
   * past its logged position), or a source short of its logged end handed over {@link STALLED_POLLS}
   * batches without moving. Then the replay is given up with a warning (limits lifted, normal
   * batching from this batch on) and this returns true.
   */
  offTrack(rows: number): boolean {
    const e = this.current;
    if (e === undefined) return false;
    if (rows > e.rows) {
      this.abandon(`batch ${e.batchId} took ${rows} rows, more than the ${e.rows} it logged, without reaching its logged positions`);
      return true;
    }
    const stuck = this.reads.find((r, i) => this.still[i]! >= STALLED_POLLS && !this.reachedRange(r, e.ranges[r.node.fullName]!));
    if (stuck === undefined) return false;
    this.abandon(`source '${stuck.node.fullName}' did not reach its logged position in batch ${e.batchId}`);
    return true;
  }

  /** The processing time the batch's pass runs with: the logged one when replaying, else `now`. */
  processingTime(now: number): number {
    return this.current?.processingTime ?? now;
  }

  /**
   * The batch's input is fixed. Replaying: sets each source's watermark to the logged one (what the
   * crashed attempt had when it fixed this batch; empty polls while held may have moved it).
   * Otherwise: writes the batch's entry durably before it runs.
   * @throws CheckpointWriteError when the store fails.
   */
  async fixed(batchId: number, startedAt: number, processingTime: number, rows: number): Promise<void> {
    const e = this.current;
    if (e !== undefined) {
      for (const r of this.reads) if (!r.done) r.watermark = ownField(e.watermarks, r.node.fullName)!;
      return;
    }
    const ranges: Record<string, OffsetRange> = {};
    const watermarks: Record<string, number> = {};
    this.reads.forEach((r, i) => {
      ranges[r.node.fullName] = { from: this.from[i] ?? null, to: r.position ?? null, done: r.done };
      watermarks[r.node.fullName] = r.watermark;
    });
    await this.log.write({ batchId, startedAt, processingTime, rows, ranges, watermarks });
  }

  /** The batch ran: after the last replayed batch, the sources' limits are lifted. */
  end(): void {
    if (this.current === undefined) return;
    this.current = undefined;
    this.plan.shift();
    if (this.plan.length === 0) for (const p of this.pumps) p.stopAt(undefined);
  }

  private reachedRange(r: ReadSlot, range: OffsetRange): boolean {
    return r.done || (!range.done && isDeepStrictEqual(r.position, range.to));
  }

  /** Holds every source at `e`'s end; a source that was done by then is let run to its end. */
  private hold(e: OffsetEntry): void {
    this.reads.forEach((r, i) => {
      const range = e.ranges[r.node.fullName]!;
      this.pumps[i]!.stopAt(range.done ? undefined : range.to);
    });
  }

  private abandon(why: string): void {
    const left = this.plan.length;
    this.checkpoints.warn(`offset log: ${why}; the ${left} logged batch(es) left are not replayed and get new boundaries (the output stays exactly-once, but panes that depend on batching may differ)`);
    this.plan.length = 0;
    this.current = undefined;
    for (const p of this.pumps) p.stopAt(undefined);
  }
}
