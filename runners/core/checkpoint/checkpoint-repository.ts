import { CheckpointError, CheckpointWriteError, CorruptCheckpointError, NoValidCheckpointError } from '../../../sdk/errors.js';
import { encodeCheckpointFile, readCheckpointFile, type CheckpointFile, type EncodedCheckpoint, type SegmentPayload } from './checkpoint-file.js';
import { isUuidV7 } from './checkpoint-id.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { CheckpointManifest, ManifestDraft } from './manifest.js';

const CHECKPOINTS = 'checkpoints/';
const COMMITS = 'commits/';
const JOB_FILE = 'job.json';
const NAME = /^ck-(\d{12})$/;

/** The smallest `keep`: one checkpoint to resume from and one to fall back to. */
export const MIN_KEEP = 2;

/** The identity of a job, written once by its first run (`job.json`). */
export interface JobInfo {
  readonly format: 1;
  /** A uuid v7, made by the first run. Names the job's transactional ids and temporary files. */
  readonly jobId: string;
  readonly jobName?: string;
  readonly createdAt: number;
}

/** A checkpoint that was written. */
export interface WrittenCheckpoint {
  readonly name: string;
  readonly seq: number;
  readonly bytes: number;
  readonly manifest: CheckpointManifest;
}

/** A checkpoint that was read and verified (whole-file checksum, version, manifest). */
export interface LoadedCheckpoint {
  readonly name: string;
  readonly seq: number;
  readonly bytes: number;
  readonly manifest: CheckpointManifest;
  readonly file: CheckpointFile;
}

/** Something the run should tell the user, e.g. a corrupt checkpoint that was skipped. Never printed here. */
export interface CheckpointWarning {
  readonly code: 'CORRUPT_CHECKPOINT_SKIPPED';
  readonly checkpoint: string;
  readonly seq: number;
  /** Its commit marker exists: its output was published, and the fallback writes it again. */
  readonly committed: boolean;
  readonly message: string;
  readonly cause: CorruptCheckpointError;
}

/** What `loadLatest` found. */
export interface LatestCheckpoint {
  /** The newest usable checkpoint, or undefined when the job has none yet. */
  readonly checkpoint: LoadedCheckpoint | undefined;
  /** One per newer checkpoint that was skipped as corrupt. */
  readonly warnings: readonly CheckpointWarning[];
  /** The highest seq in the store, usable or not: the next checkpoint must be numbered above it. */
  readonly highestSeq: number | undefined;
}

/** Marks that every sink committed a checkpoint's output (`commits/ck-…`). */
export interface CommitMarker {
  readonly seq: number;
  readonly checkpointId: string;
  /** Processing time from the injected clock. */
  readonly committedAt: number;
}

/**
 * The checkpoints of one job on a CheckpointStore: writing them, finding the newest usable one,
 * commit markers, retention and the job file. Never prints and never reads the clock: warnings are
 * returned, times come with the data.
 *
 * Layout: `job.json`, `checkpoints/ck-<seq, 12 digits>` (name order is seq order),
 * `commits/ck-<seq>` (every sink committed that checkpoint).
 *
 * @example
 * const repo = new CheckpointRepository(await FileCheckpointStore.open(dir, { runId }));
 * const { checkpoint, warnings, highestSeq } = await repo.loadLatest();
 * await repo.writeCheckpoint({ ...draft, seq: (highestSeq ?? 0) + 1 }, segments);
 * await repo.prune(3);
 */
export class CheckpointRepository {
  constructor(readonly store: CheckpointStore) {}

  /** The blob name of checkpoint `seq`: `checkpoints/ck-000000000042`. */
  static checkpointName(seq: number): string {
    return CHECKPOINTS + 'ck-' + String(seq).padStart(12, '0');
  }

  /**
   * The job's identity: the stored one, or `fresh` after storing it (first run). A directory that
   * holds checkpoints but lost its job file (deleted, or not copied with the checkpoints) gets it
   * back with the job id of its newest readable checkpoint, and `warn` is told: a new id would rename
   * the job's Kafka transactional ids, so the crashed run's open transaction would not be fenced and
   * would hold back `read_committed` readers until the broker's transaction timeout.
   * @throws CorruptCheckpointError naming the job file when it is not `{format: 1, jobId, createdAt}`.
   * @example const job = await repo.openJob({ format: 1, jobId: newUuidV7(now), createdAt: now }, (m) => warnings.push(m));
   */
  async openJob(fresh: JobInfo, warn: (message: string) => void = () => {}): Promise<JobInfo> {
    const bytes = await this.store.get(JOB_FILE);
    if (bytes === undefined) {
      const found = await this.jobOfNewestCheckpoint();
      const job: JobInfo = found === undefined ? fresh : { ...fresh, jobId: found.jobId };
      await this.put(JOB_FILE, [Buffer.from(JSON.stringify(job) + '\n')]);
      if (found !== undefined) warn(`${this.store.location}/${JOB_FILE} was missing: written again with job id ${found.jobId}, taken from ${found.checkpoint}`);
      return job;
    }
    let job: unknown;
    try {
      job = JSON.parse(bytes.toString('utf8'));
    } catch {
      job = undefined;
    }
    const j = job as Partial<JobInfo> | undefined;
    if (typeof j !== 'object' || j === null || j.format !== 1 || !isUuidV7(j.jobId) || typeof j.createdAt !== 'number') {
      throw new CorruptCheckpointError(`${this.store.location}/${JOB_FILE}`, 'bad-manifest', 'the job file is not {format: 1, jobId, createdAt}; delete it, and the next run writes it again with the job id of the newest checkpoint');
    }
    return j as JobInfo;
  }

  /** The job id the newest readable checkpoint records (for a lost job file), or undefined when none is readable. */
  private async jobOfNewestCheckpoint(): Promise<{ jobId: string; checkpoint: string } | undefined> {
    const seqs = await this.seqs();
    for (let i = seqs.length - 1; i >= 0; i--) {
      const name = CheckpointRepository.checkpointName(seqs[i]!);
      const bytes = await this.store.get(name);
      if (bytes === undefined) continue;
      try {
        const { jobId } = readCheckpointFile(name, bytes).manifest;
        if (isUuidV7(jobId)) return { jobId, checkpoint: name };
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw e;
      }
    }
    return undefined;
  }

  /** The seqs of every stored checkpoint, ascending (usable or not). */
  async seqs(): Promise<number[]> {
    const out: number[] = [];
    for (const name of await this.store.list(CHECKPOINTS + 'ck-')) {
      const m = NAME.exec(name.slice(CHECKPOINTS.length));
      if (m) out.push(Number(m[1]));
    }
    return out;
  }

  /**
   * Writes checkpoint `draft.seq` atomically (see CheckpointStore.put). The file is encoded before
   * this returns its promise, so the caller may change what `draft` refers to (live state) at once
   * and let the write run in the background.
   * @throws CheckpointWriteError when the store fails, or when a checkpoint numbered `seq` or higher
   *   already exists (nothing is overwritten).
   */
  writeCheckpoint(draft: ManifestDraft, segments: readonly SegmentPayload[]): Promise<WrittenCheckpoint> {
    let encoded: EncodedCheckpoint;
    try {
      encoded = encodeCheckpointFile(draft, segments);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.writeEncoded(draft.seq, encoded);
  }

  private async writeEncoded(seq: number, encoded: EncodedCheckpoint): Promise<WrittenCheckpoint> {
    const name = CheckpointRepository.checkpointName(seq);
    const highest = (await this.seqs()).at(-1);
    if (highest !== undefined && highest >= seq) {
      throw new CheckpointWriteError(name, this.store.location, new Error(`checkpoint ${CheckpointRepository.checkpointName(highest)} exists already; a new one must be numbered above it`));
    }
    await this.put(name, encoded.parts);
    return { name, seq, bytes: encoded.bytes, manifest: encoded.manifest };
  }

  /**
   * Finds the newest usable checkpoint, verifying newest first. A corrupt one (truncated, damaged,
   * not a checkpoint) is skipped with a warning, and the one before it is tried.
   * @throws NoValidCheckpointError when checkpoints exist but every one is corrupt (never starts over silently).
   * @throws CheckpointVersionError when the newest intact one has another format version (falling back
   *   past it would replay output it committed).
   */
  async loadLatest(): Promise<LatestCheckpoint> {
    const seqs = await this.seqs();
    const defects: CorruptCheckpointError[] = [];
    for (let i = seqs.length - 1; i >= 0; i--) {
      const seq = seqs[i]!;
      const name = CheckpointRepository.checkpointName(seq);
      const bytes = await this.store.get(name);
      if (bytes === undefined) continue; // pruned meanwhile
      let file: CheckpointFile;
      try {
        file = readCheckpointFile(name, bytes);
        if (file.manifest.seq !== seq) throw new CorruptCheckpointError(name, 'bad-manifest', `its manifest says seq ${file.manifest.seq}`);
      } catch (e) {
        if (e instanceof CorruptCheckpointError) {
          defects.push(e);
          continue;
        }
        throw e;
      }
      const warnings: CheckpointWarning[] = [];
      for (const d of defects) warnings.push(await this.skippedWarning(d, name));
      return { checkpoint: { name, seq, bytes: bytes.length, manifest: file.manifest, file }, warnings, highestSeq: seqs.at(-1) };
    }
    if (defects.length > 0) throw new NoValidCheckpointError(this.store.location, defects);
    return { checkpoint: undefined, warnings: [], highestSeq: seqs.at(-1) };
  }

  /** Records that every sink committed checkpoint `marker.seq`. @throws CheckpointWriteError */
  async markCommitted(marker: CommitMarker): Promise<void> {
    await this.put(COMMITS + CheckpointRepository.checkpointName(marker.seq).slice(CHECKPOINTS.length), [Buffer.from(JSON.stringify(marker) + '\n')]);
  }

  /**
   * True when the commit marker of checkpoint `seq` is there and readable. An unreadable marker counts
   * as not committed: committing again is idempotent, so that is the safe answer.
   */
  async isCommitted(seq: number): Promise<boolean> {
    const bytes = await this.store.get(COMMITS + CheckpointRepository.checkpointName(seq).slice(CHECKPOINTS.length));
    if (bytes === undefined) return false;
    try {
      return (JSON.parse(bytes.toString('utf8')) as Partial<CommitMarker>).seq === seq;
    } catch {
      return false;
    }
  }

  /**
   * Keeps the newest `keep` checkpoints and deletes older ones with their commit markers (and markers
   * left without a checkpoint). Returns the names deleted.
   * @throws RangeError when `keep` is below 2 (a fallback must remain).
   */
  async prune(keep: number): Promise<string[]> {
    if (!Number.isInteger(keep) || keep < MIN_KEEP) throw new RangeError(`keep must be an integer of at least ${MIN_KEEP}, got ${keep}`);
    const seqs = await this.seqs();
    if (seqs.length === 0) return [];
    const oldestKept = seqs[Math.max(0, seqs.length - keep)]!;
    const deleted: string[] = [];
    for (const seq of seqs) {
      if (seq >= oldestKept) break;
      const name = CheckpointRepository.checkpointName(seq);
      await this.store.delete(name);
      deleted.push(name);
    }
    for (const marker of await this.store.list(COMMITS + 'ck-')) {
      const m = NAME.exec(marker.slice(COMMITS.length));
      if (m && Number(m[1]) < oldestKept) {
        await this.store.delete(marker);
        deleted.push(marker);
      }
    }
    return deleted;
  }

  private async put(name: string, parts: readonly Uint8Array[]): Promise<void> {
    try {
      await this.store.put(name, parts);
    } catch (e) {
      throw new CheckpointWriteError(name, this.store.location, e);
    }
  }

  private async skippedWarning(d: CorruptCheckpointError, usedInstead: string): Promise<CheckpointWarning> {
    const checkpoint = d.checkpoint!;
    const seq = Number(NAME.exec(checkpoint.slice(CHECKPOINTS.length))![1]);
    const committed = await this.isCommitted(seq);
    return {
      code: 'CORRUPT_CHECKPOINT_SKIPPED',
      checkpoint,
      seq,
      committed,
      message:
        `${checkpoint} is corrupt (${d.reason}: ${d.detail}); resuming from ${usedInstead}.` +
        (committed
          ? ` Its output was already committed and the run writes it again: sinks that can take output back (file parts) do; those that cannot (a Kafka topic) refuse to resume rather than publish it twice.`
          : ''),
      cause: d,
    };
  }
}
