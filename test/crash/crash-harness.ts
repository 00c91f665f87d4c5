/**
 * The SIGKILL harness (issue #13, design step 16, §j): runs a Kafka → Kafka Netflow job
 * (./crash-job.ts) with `--checkpointDir`, kills it with SIGKILL at seeded random moments, runs the
 * same command again after every kill (on a runner drawn from the seed: checkpoints cross runners),
 * and checks that a read_committed consumer of the output topic sees exactly the pairs of a run
 * without crashes: the same multiset, nothing lost, nothing twice.
 *
 * - Moments (mulberry32(seed)): kills alternate between failpoints (`WATERSHED_FAILPOINT=<name>:<n>:crash`, the process
 *   SIGKILLs itself at the n-th hit of a checkpoint or sink failpoint: deterministic) and timed kills
 *   (SIGKILL from the harness `u × T` ms after the start, T being a failure-free checkpointed run's time).
 * - A chain is one output topic and checkpoint directory: attempts are killed one after another (each
 *   resuming the previous one's checkpoints), then the job runs to its end and the topic is compared.
 *   A chain ends after `killsPerChain` kills, or earlier when an attempt finishes before its moment
 *   (the moment came after the end: not counted as a kill).
 *
 * @example
 * const report = await runCrashHarness({ brokers, job: CRASH_JOBS.small!, kills: 4, seed: 1, log: console.log });
 * expect(report.ok).toBe(true);
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32, type Random } from '../../pipelines/netflow/prng.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { diffSorted, jobArgs, readCommittedPairs, runCli, type CliOutcome, type CrashJob, type PairDiff, type RunnerName } from './crash-job.js';

/** Failpoints around a checkpoint, on both runners (see sdk/testing/failpoints.ts). */
const CHECKPOINT_FAILPOINTS = ['checkpoint.barrier', 'sink.preCommit', 'checkpoint.written', 'sink.commit', 'checkpoint.committed'] as const;
/** The micro-batch runner's own: a batch's offset entry is durable, the batch has not run. */
const MICROBATCH_FAILPOINTS = ['offsets.written'] as const;

export interface CrashHarnessOptions {
  readonly brokers: string;
  readonly job: CrashJob;
  /** SIGKILLs to deliver in all. */
  readonly kills: number;
  readonly seed: number;
  /** Kills per chain before the job is let run to its end and checked. Default 5. */
  readonly killsPerChain?: number;
  /** Progress lines (each moment and verdict). Default: none. */
  readonly log?: (line: string) => void;
}

/** A kill moment. */
export type Moment = { readonly kind: 'failpoint'; readonly name: string; readonly at: number } | { readonly kind: 'timed'; readonly ms: number };

/** One run of the job in a chain. */
export interface Attempt {
  readonly chain: number;
  readonly runner: RunnerName;
  /** Undefined for the run that ends a chain. */
  readonly moment?: Moment;
  /** `killed` (SIGKILL delivered), `finished` (exit 0), or `failed` (any other end: a harness failure). */
  readonly outcome: 'killed' | 'finished' | 'failed';
  readonly ms: number;
}

export interface ChainVerdict {
  readonly chain: number;
  readonly kills: number;
  readonly diff: PairDiff;
}

export interface CrashReport {
  readonly job: string;
  readonly seed: number;
  /** Records of the run without crashes (and without checkpoints): what every chain must commit. */
  readonly expected: number;
  /** A failure-free run with checkpoints (T, and the number of checkpoints it took). */
  readonly dryRunMs: number;
  readonly dryRunCheckpoints: number;
  readonly attempts: readonly Attempt[];
  readonly chains: readonly ChainVerdict[];
  readonly kills: number;
  /** Every chain (the dry run is chain 0) committed exactly the expected multiset, and no attempt failed otherwise. */
  readonly ok: boolean;
}

const describeMoment = (m: Moment | undefined): string => (m === undefined ? 'no kill (runs to its end)' : m.kind === 'failpoint' ? `failpoint ${m.name} #${m.at}` : `SIGKILL after ${Math.round(m.ms)} ms`);

/**
 * Draws the next moment for an attempt on `runner`: a failpoint when `kind` says so, else a timed kill.
 * The kinds alternate by kill count (not drawn), so every run of two kills or more has both: a timed
 * moment that comes after an attempt's end kills nothing, and the next attempt tries a timed one again.
 */
function drawMoment(random: Random, kind: Moment['kind'], runner: RunnerName, dryRunMs: number, maxHit: number): Moment {
  if (kind === 'failpoint') {
    const names: readonly string[] = runner === 'microbatch' ? [...CHECKPOINT_FAILPOINTS, ...MICROBATCH_FAILPOINTS] : CHECKPOINT_FAILPOINTS;
    const name = names[Math.floor(random() * names.length)]!;
    // Resumed attempts, and micro-batch runs, take fewer checkpoints than the dry run (and sink.commit
    // hits only checkpoints that hold output): hits up to half of the dry run's, early ones more often.
    const at = 1 + Math.floor(random() ** 2 * Math.max(1, Math.ceil(maxHit / 2)));
    return { kind: 'failpoint', name, at };
  }
  return { kind: 'timed', ms: (0.05 + 0.9 * random()) * dryRunMs };
}

/** The highest checkpoint number in `dir` (how many checkpoints a run took). */
function checkpointsIn(dir: string): number {
  const names = readdirSync(join(dir, 'checkpoints')).filter((n) => /^ck-\d{12}$/.test(n));
  return Math.max(0, ...names.map((n) => Number(n.slice(3))));
}

const tail = (o: CliOutcome): string => o.stderr.split('\n').filter((l) => l.trim() !== '' && !/TimeoutNegativeWarning|Timeout duration was set|trace-warnings/.test(l)).slice(-8).join('\n');

/** Runs the harness (see the module comment). Never throws for a verdict: read `report.ok`. @throws when the setup (input, reference run) fails. */
export async function runCrashHarness(o: CrashHarnessOptions): Promise<CrashReport> {
  const log = o.log ?? (() => undefined);
  const random = mulberry32(o.seed);
  const killsPerChain = o.killsPerChain ?? 5;
  const work = mkdtempSync(join(tmpdir(), 'watershed-crash-'));
  const kafka = createKafkajsClientFactory({ brokers: o.brokers, logLevel: 'nothing' });
  const admin = kafka.admin();
  await admin.connect();
  const topics: string[] = [];
  const topic = (kind: string): string => {
    const t = `watershed-crash-${o.job.name}-${kind}-${randomUUID()}`;
    topics.push(t);
    return t;
  };
  try {
    const input = topic('in');
    await admin.createTopics([{ topic: input, partitions: 3 }]);
    const gen = await runCli(['generate', ...o.job.generate, `--output=kafka:${input}`, `--brokers=${o.brokers}`]);
    if (gen.code !== 0) throw new Error(`generating the input failed:\n${tail(gen)}`);

    // The reference: a run without crashes and without checkpoints (no transactions at all).
    const plain = topic('plain');
    const clean = await runCli(jobArgs(o.job, { runner: 'native', brokers: o.brokers, input, output: plain }));
    if (clean.code !== 0) throw new Error(`the reference run failed:\n${tail(clean)}`);
    const count = (await admin.fetchTopicOffsets(plain)).reduce((n, p) => n + Number(p.high), 0);
    const expected = await readCommittedPairs(o.brokers, plain, count);
    if (expected.length !== count) throw new Error(`read ${expected.length} of the reference run's ${count} records`);
    log(`[crash] job ${o.job.name}: ${o.job.description}; seed ${o.seed}; reference run (no checkpoints) ${Math.round(clean.ms)} ms, ${count.toLocaleString('en-US')} records`);

    const chains: ChainVerdict[] = [];
    const attempts: Attempt[] = [];
    const verify = async (chain: number, output: string, kills: number): Promise<void> => {
      const diff = diffSorted(expected, await readCommittedPairs(o.brokers, output, expected.length));
      chains.push({ chain, kills, diff });
      log(
        `[crash] chain ${chain} (${kills} kill${kills === 1 ? '' : 's'}): ${diff.actual.toLocaleString('en-US')} records read_committed, expected ${diff.expected.toLocaleString('en-US')}: ` +
          (diff.equal ? 'equal' : `DIFFERENT (${diff.missingCount} lost, ${diff.extraCount} extra or duplicated)${diff.missing.map((m) => `\n  lost:  ${m}`).join('')}${diff.extra.map((m) => `\n  extra: ${m}`).join('')}`),
      );
    };

    // Chain 0: a failure-free run with checkpoints, for T and the number of checkpoints.
    const dryDir = join(work, 'ck-0');
    const dryOut = topic('out-0');
    const dry = await runCli(jobArgs(o.job, { runner: 'native', brokers: o.brokers, input, output: dryOut, checkpointDir: dryDir }));
    attempts.push({ chain: 0, runner: 'native', outcome: dry.code === 0 ? 'finished' : 'failed', ms: dry.ms });
    if (dry.code !== 0) throw new Error(`the failure-free checkpointed run failed:\n${tail(dry)}`);
    const dryRunCheckpoints = checkpointsIn(dryDir);
    log(`[crash] chain 0: failure-free run with checkpoints every ${o.job.checkpointInterval}: ${Math.round(dry.ms)} ms, ${dryRunCheckpoints} checkpoints`);
    await verify(0, dryOut, 0);

    let kills = 0;
    let failed = false;
    // A chain whose first moment comes after the job's end kills nothing: bounded, so a job too short for its moments ends.
    for (let chain = 1; kills < o.kills && !failed && chain <= 3 * o.kills; chain++) {
      const dir = join(work, `ck-${chain}`);
      const output = topic(`out-${chain}`);
      let chainKills = 0;
      for (;;) {
        const runner: RunnerName = random() < 0.5 ? 'native' : 'microbatch';
        const moment = chainKills < killsPerChain && kills < o.kills ? drawMoment(random, kills % 2 === 0 ? 'failpoint' : 'timed', runner, dry.ms, dryRunCheckpoints) : undefined;
        const args = jobArgs(o.job, { runner, brokers: o.brokers, input, output, checkpointDir: dir });
        const end = await runCli(args, moment?.kind === 'failpoint' ? { failpoint: `${moment.name}:${moment.at}:crash` } : moment?.kind === 'timed' ? { killAfterMs: moment.ms } : {});
        const outcome = end.signal === 'SIGKILL' ? 'killed' : end.code === 0 ? 'finished' : 'failed';
        attempts.push({ chain, runner, ...(moment ? { moment } : {}), outcome, ms: end.ms });
        if (outcome === 'killed') {
          kills++;
          chainKills++;
        }
        log(`[crash] chain ${chain}, attempt on ${runner}: ${describeMoment(moment)} → ${outcome} after ${Math.round(end.ms)} ms${outcome === 'killed' ? ` (kill ${kills} of ${o.kills})` : ''}`);
        if (outcome === 'failed') {
          log(`[crash]   the attempt failed (exit ${end.code}):\n${tail(end)}`);
          failed = true;
          break;
        }
        if (outcome === 'finished') break;
      }
      if (!failed) await verify(chain, output, chainKills);
    }
    const ok = !failed && kills === o.kills && chains.every((c) => c.diff.equal);
    log(`[crash] ${ok ? 'PASS' : 'FAIL'}: ${kills} SIGKILLs over ${chains.length - 1} chains (+ the failure-free one), ${chains.filter((c) => c.diff.equal).length} of ${chains.length} chains exactly the expected records`);
    return { job: o.job.name, seed: o.seed, expected: count, dryRunMs: dry.ms, dryRunCheckpoints, attempts, chains, kills, ok };
  } finally {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}
