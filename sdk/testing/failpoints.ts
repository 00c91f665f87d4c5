import { writeSync } from 'node:fs';
import { WatershedError } from '../errors.js';

/**
 * What an armed failpoint does when hit: `'throw'` a {@link SimulatedCrash} (an in-process test then
 * drops the run and starts a new one, as after a crash), `'crash'` the process at once with
 * SIGKILL (a child-process test; nothing is flushed or cleaned up, as in a real crash), or `'pause'`
 * it: one line `[failpoint] paused at <name> (hit <n>), pid <pid>` to stderr, then SIGSTOP, so a
 * child-process test can do something at that moment (stop a broker, say) and then send SIGCONT.
 */
export type FailpointAction = 'throw' | 'crash' | 'pause';

/** The error an armed failpoint throws: a crash simulated in-process, at a known moment. */
export class SimulatedCrash extends WatershedError {
  readonly failpoint: string;
  readonly hit: number;
  constructor(failpoint: string, hit: number, detail?: string) {
    super('SIMULATED_CRASH', `simulated crash at failpoint '${failpoint}' (hit ${hit}${detail ? `, ${detail}` : ''})`);
    this.failpoint = failpoint;
    this.hit = hit;
  }
}

interface Armed {
  readonly at: number;
  readonly action: FailpointAction;
}

/**
 * Named places in the code (`failpoint('sink.preCommit')`) where a test makes the run fail at a
 * precise moment: the `at`-th time the place is reached. Unarmed, a failpoint costs one boolean test.
 *
 * Names used by Watershed: `sink.preCommit` (a sink's pending work is durable, its handle not yet in a
 * checkpoint), `sink.commit` (a checkpoint is durable, before a sink publishes its work). The
 * checkpoint coordinator and sources add theirs (`checkpoint.barrier`, `checkpoint.written`,
 * `checkpoint.committed`, `source.batch`), and the micro-batch offset log `offsets.written` (a batch's
 * offset entry is durable, the batch has not run). Files: `file.write` (half-way through a whole file's
 * bytes), `fileSink.publish` (a file sink's run is done, before its file is published or added to its
 * set), `fileSet.rename` (before each rename of a set of files).
 *
 * A process started with `WATERSHED_FAILPOINT=<name>:<n>[:throw|crash]` arms that failpoint (default
 * action `crash`) when this module loads.
 * @example
 * failpoints.arm('sink.preCommit', { at: 2 });        // the second preCommit of any sink throws SimulatedCrash
 * await expect(run()).rejects.toThrow(SimulatedCrash);
 * failpoints.reset();
 */
export class Failpoints {
  private readonly armed = new Map<string, Armed>();
  private readonly hits = new Map<string, number>();
  private active = false;

  /**
   * Arms `name`: its `at`-th hit from now (default 1) does `action` (default `'throw'`). Re-arming
   * restarts the count. @throws RangeError for an empty name or an `at` below 1.
   */
  arm(name: string, options: { at?: number; action?: FailpointAction } = {}): void {
    const at = options.at ?? 1;
    if (name === '') throw new RangeError('a failpoint needs a name');
    if (!(Number.isInteger(at) && at >= 1)) throw new RangeError(`failpoint '${name}': at must be an integer >= 1, got ${at}`);
    this.armed.set(name, { at, action: options.action ?? 'throw' });
    this.hits.set(name, 0);
    this.active = true;
  }

  /**
   * Arms one of `names` at a hit in `[1, maxHit]`, both drawn from `random` (uniform in [0, 1), e.g. a
   * seeded mulberry32), so a seed names one crash moment. Returns what it armed.
   * @example const { name, at } = failpoints.armSeeded(['sink.preCommit', 'sink.commit'], 5, mulberry32(seed));
   */
  armSeeded(names: readonly string[], maxHit: number, random: () => number, action: FailpointAction = 'throw'): { name: string; at: number } {
    if (names.length === 0) throw new RangeError('armSeeded needs at least one failpoint name');
    if (!(Number.isInteger(maxHit) && maxHit >= 1)) throw new RangeError(`maxHit must be an integer >= 1, got ${maxHit}`);
    const name = names[Math.min(names.length - 1, Math.floor(random() * names.length))]!;
    const at = 1 + Math.min(maxHit - 1, Math.floor(random() * maxHit));
    this.arm(name, { at, action });
    return { name, at };
  }

  /**
   * Arms from a spec `<name>:<n>[:throw|crash|pause]` (the `WATERSHED_FAILPOINT` form).
   * @throws RangeError naming the spec when it is malformed.
   */
  armFrom(spec: string, defaultAction: FailpointAction = 'crash'): void {
    const m = /^([^:]+):(\d+)(?::(throw|crash|pause))?$/.exec(spec.trim());
    if (!m) throw new RangeError(`failpoint spec '${spec}' is not <name>:<n>[:throw|crash|pause], e.g. sink.preCommit:2`);
    this.arm(m[1]!, { at: Number(m[2]), action: (m[3] as FailpointAction | undefined) ?? defaultAction });
  }

  /** Disarms every failpoint and forgets the counts. */
  reset(): void {
    this.armed.clear();
    this.hits.clear();
    this.active = false;
  }

  /** Times `name` was hit since it was armed (0 when it is not armed: unarmed hits are not counted). */
  count(name: string): number {
    return this.hits.get(name) ?? 0;
  }

  /**
   * Marks that the code reached `name`. When `name` is armed and this is its `at`-th hit: throws
   * SimulatedCrash (`'throw'`), kills the process with SIGKILL (`'crash'`), or stops it with SIGSTOP
   * until a SIGCONT (`'pause'`; then it returns). Then it is disarmed.
   */
  hit(name: string, detail?: string): void {
    if (!this.active) return;
    const armed = this.armed.get(name);
    if (armed === undefined) return;
    const n = (this.hits.get(name) ?? 0) + 1;
    this.hits.set(name, n);
    if (n !== armed.at) return;
    this.armed.delete(name);
    this.active = this.armed.size > 0;
    if (armed.action === 'crash') process.kill(process.pid, 'SIGKILL');
    if (armed.action === 'pause') {
      writeSync(2, `[failpoint] paused at ${name} (hit ${n}), pid ${process.pid}\n`);
      process.kill(process.pid, 'SIGSTOP');
      return;
    }
    throw new SimulatedCrash(name, n, detail);
  }
}

/** The process's failpoints (what `failpoint()` checks). */
export const failpoints = new Failpoints();

/** Reaches the failpoint `name` of {@link failpoints} (see {@link Failpoints.hit}). */
export function failpoint(name: string, detail?: string): void {
  failpoints.hit(name, detail);
}

const fromEnv = process.env['WATERSHED_FAILPOINT'];
if (fromEnv !== undefined && fromEnv !== '') failpoints.armFrom(fromEnv);
