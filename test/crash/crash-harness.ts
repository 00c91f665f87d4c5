/**
 * The SIGKILL harness (issue #13, design step 16, §j): runs a job (./crash-jobs.ts: Netflow or the
 * windowed count; Kafka or NDJSON file in, Kafka or TextFile parts out) with `--checkpointDir`, kills
 * it with SIGKILL at seeded random moments, runs the same command again after every kill (on a runner
 * drawn from the seed: checkpoints cross runners), and checks that the output as a reader sees it (a
 * read_committed consumer of the topic; the finished part files of the folder) holds exactly the
 * records of a run without crashes: the same multiset, nothing lost, nothing twice. A TextFile
 * folder must also hold no in-progress part and nothing else visible once the chain's last run ended.
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
 * const report = await runCrashHarness({ brokers, job: CRASH_JOBS['small']!, kills: 4, seed: 1, log: console.log });
 * expect(report.ok).toBe(true);
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32, type Random } from '../../pipelines/netflow/prng.js';
import type { KafkaAdmin } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { jobArgs, runCli, type CliOutcome, type CrashJob, type RunnerName } from './crash-job.js';
import { diffSorted, readCommittedRecords, readTextOutput, type PairDiff } from './crash-output.js';

/** Failpoints around a checkpoint, on both runners (see sdk/testing/failpoints.ts). */
const CHECKPOINT_FAILPOINTS = ['checkpoint.barrier', 'sink.preCommit', 'checkpoint.written', 'sink.commit', 'checkpoint.committed'] as const;
/** The micro-batch runner's own: a batch's offset entry is durable, the batch has not run. */
const MICROBATCH_FAILPOINTS = ['offsets.written'] as const;

export interface CrashHarnessOptions {
  /** Needed when the job reads or writes Kafka. */
  readonly brokers?: string;
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
  /** TextFile output: hidden in-progress parts and visible non-part files left in the folder (both must be empty). */
  readonly leftovers: readonly string[];
}

export interface CrashReport {
  readonly job: string;
  readonly seed: number;
  /** Records of the run without crashes (and without checkpoints): what every chain must commit. */
  readonly expected: number;
  /** Runner-independent jobs: the micro-batch reference run's output equals the native one's (else undefined). */
  readonly referencesAgree?: boolean;
  /** A failure-free run with checkpoints (T, and the number of checkpoints it took). */
  readonly dryRunMs: number;
  readonly dryRunCheckpoints: number;
  readonly attempts: readonly Attempt[];
  readonly chains: readonly ChainVerdict[];
  readonly kills: number;
  /** Every chain (the dry run is chain 0) committed exactly the expected multiset, and no attempt failed otherwise. */
  readonly ok: boolean;
}

/** A run's output: where it goes (a flag value) and how to read it back. */
interface Output {
  readonly flag: string;
  read(expected: number): Promise<{ lines: string[]; leftovers: readonly string[] }>;
  /** Records a run without checkpoints wrote (the reference: no transactions, one file). */
  count(): Promise<number>;
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

/** The `[checkpoint]` lines of an attempt's stderr (at most 4, shortened). */
const checkpointLines = (o: CliOutcome): string[] =>
  o.stderr
    .split('\n')
    .filter((l) => l.startsWith('[checkpoint]'))
    .slice(0, 4)
    .map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l));

const tail = (o: CliOutcome): string => o.stderr.split('\n').filter((l) => l.trim() !== '' && !/TimeoutNegativeWarning|Timeout duration was set|trace-warnings/.test(l)).slice(-8).join('\n');

/** Runs the harness (see the module comment). Never throws for a verdict: read `report.ok`. @throws when the setup (input, reference run) fails. */
export async function runCrashHarness(o: CrashHarnessOptions): Promise<CrashReport> {
  const log = o.log ?? (() => undefined);
  const random = mulberry32(o.seed);
  const killsPerChain = o.killsPerChain ?? 5;
  const job = o.job;
  const work = mkdtempSync(join(tmpdir(), 'watershed-crash-'));
  /** Set when a chain differs: its checkpoint directories (and output files) are kept for a look. */
  let keep = false;
  const usesKafka = job.input === 'kafka' || job.output === 'kafka';
  if (usesKafka && o.brokers === undefined) throw new Error(`job ${job.name} reads or writes Kafka: give brokers`);
  const admin: KafkaAdmin | undefined = usesKafka ? createKafkajsClientFactory({ brokers: o.brokers!, logLevel: 'nothing' }).admin() : undefined;
  await admin?.connect();
  const topics: string[] = [];
  const topic = (kind: string): string => {
    const t = `watershed-crash-${job.name}-${kind}-${randomUUID()}`;
    topics.push(t);
    return t;
  };
  const output = (kind: string): Output => {
    if (job.output === 'kafka') {
      const t = topic(kind);
      return {
        flag: `kafka:${t}`,
        read: async (expected) => ({ lines: await readCommittedRecords(o.brokers!, t, expected, job.normalize), leftovers: [] }),
        count: async () => (await admin!.fetchTopicOffsets(t)).reduce((n, p) => n + Number(p.high), 0),
      };
    }
    const path = join(work, `${kind}.ndjson`);
    const read = (): ReturnType<typeof readTextOutput> => readTextOutput(path, job.normalize);
    return {
      flag: `ndjson:${path}`,
      read: async () => {
        const r = read();
        return { lines: r.lines, leftovers: [...r.inProgress, ...r.strays] };
      },
      count: async () => read().lines.length,
    };
  };
  const args = (runner: RunnerName, input: string, out: Output, checkpointDir?: string): string[] =>
    jobArgs(job, { runner, ...(usesKafka ? { brokers: o.brokers! } : {}), input, output: out.flag, ...(checkpointDir !== undefined ? { checkpointDir } : {}) });
  const run = (a: readonly string[], x: { failpoint?: string; killAfterMs?: number } = {}): Promise<CliOutcome> => runCli(a, { ...x, script: job.script });
  try {
    let input: string;
    if (job.input === 'kafka') {
      const t = topic('in');
      await admin!.createTopics([{ topic: t, partitions: job.inputPartitions }]);
      await job.writeInput({ kind: 'kafka', topic: t, brokers: o.brokers! });
      input = `kafka:${t}`;
    } else {
      const path = join(work, 'input.ndjson');
      await job.writeInput({ kind: 'ndjson', path });
      input = `ndjson:${path}`;
    }

    // The reference: a run without crashes and without checkpoints (no transactions at all).
    const plain = output('plain');
    const clean = await run(args('native', input, plain));
    if (clean.code !== 0) throw new Error(`the reference run failed:\n${tail(clean)}`);
    const count = await plain.count();
    const expected = (await plain.read(count)).lines;
    if (expected.length !== count) throw new Error(`read ${expected.length} of the reference run's ${count} records`);
    log(`[crash] job ${job.name}: ${job.description}; seed ${o.seed}; reference run (native, no checkpoints) ${Math.round(clean.ms)} ms, ${count.toLocaleString('en-US')} records`);
    let referencesAgree: boolean | undefined;
    if (job.runnerIndependent) {
      const mbOut = output('plain-microbatch');
      const mb = await run(args('microbatch', input, mbOut));
      if (mb.code !== 0) throw new Error(`the micro-batch reference run failed:\n${tail(mb)}`);
      const d = diffSorted(expected, (await mbOut.read(count)).lines);
      referencesAgree = d.equal;
      log(`[crash] reference run on micro-batch: ${d.equal ? 'the same records' : `DIFFERENT (${d.missingCount} missing, ${d.extraCount} extra)${d.missing.map((m) => `\n  native only: ${m}`).join('')}${d.extra.map((m) => `\n  micro-batch only: ${m}`).join('')}`}`);
    }

    const chains: ChainVerdict[] = [];
    const attempts: Attempt[] = [];
    const verify = async (chain: number, out: Output, kills: number): Promise<void> => {
      const got = await out.read(expected.length);
      const diff = diffSorted(expected, got.lines);
      chains.push({ chain, kills, diff, leftovers: got.leftovers });
      if (!diff.equal || got.leftovers.length > 0) keep = true;
      log(
        `[crash] chain ${chain} (${kills} kill${kills === 1 ? '' : 's'}): ${diff.actual.toLocaleString('en-US')} records ${job.output === 'kafka' ? 'read_committed' : 'in finished parts'}, expected ${diff.expected.toLocaleString('en-US')}: ` +
          (diff.equal ? 'equal' : `DIFFERENT (${diff.missingCount} lost, ${diff.extraCount} extra or duplicated)${diff.missing.map((m) => `\n  lost:  ${m}`).join('')}${diff.extra.map((m) => `\n  extra: ${m}`).join('')}`) +
          (got.leftovers.length > 0 ? `; LEFT IN THE FOLDER: ${got.leftovers.join(', ')}` : ''),
      );
    };

    // Chain 0: a failure-free run with checkpoints, for T and the number of checkpoints.
    const dryDir = join(work, 'ck-0');
    const dryOut = output('out-0');
    const dry = await run(args('native', input, dryOut, dryDir));
    attempts.push({ chain: 0, runner: 'native', outcome: dry.code === 0 ? 'finished' : 'failed', ms: dry.ms });
    if (dry.code !== 0) throw new Error(`the failure-free checkpointed run failed:\n${tail(dry)}`);
    const dryRunCheckpoints = checkpointsIn(dryDir);
    log(`[crash] chain 0: failure-free run with checkpoints every ${job.checkpointInterval}: ${Math.round(dry.ms)} ms, ${dryRunCheckpoints} checkpoints`);
    await verify(0, dryOut, 0);

    let kills = 0;
    let failed = false;
    // A chain whose first moment comes after the job's end kills nothing: bounded, so a job too short for its moments ends.
    for (let chain = 1; kills < o.kills && !failed && chain <= 3 * o.kills; chain++) {
      const dir = join(work, `ck-${chain}`);
      const out = output(`out-${chain}`);
      let chainKills = 0;
      for (;;) {
        const runner: RunnerName = random() < 0.5 ? 'native' : 'microbatch';
        const moment = chainKills < killsPerChain && kills < o.kills ? drawMoment(random, kills % 2 === 0 ? 'failpoint' : 'timed', runner, dry.ms, dryRunCheckpoints) : undefined;
        const end = await run(args(runner, input, out, dir), moment?.kind === 'failpoint' ? { failpoint: `${moment.name}:${moment.at}:crash` } : moment?.kind === 'timed' ? { killAfterMs: moment.ms } : {});
        const outcome = end.signal === 'SIGKILL' ? 'killed' : end.code === 0 ? 'finished' : 'failed';
        // Every attempt's stderr beside its checkpoints (kept when the chain differs; NODE_DEBUG=watershed-checkpoint adds the trail).
        writeFileSync(join(work, `attempt-${chain}-${attempts.filter((a) => a.chain === chain).length + 1}.log`), end.stderr);
        attempts.push({ chain, runner, ...(moment ? { moment } : {}), outcome, ms: end.ms });
        if (outcome === 'killed') {
          kills++;
          chainKills++;
        }
        log(`[crash] chain ${chain}, attempt on ${runner}: ${describeMoment(moment)} → ${outcome} after ${Math.round(end.ms)} ms${outcome === 'killed' ? ` (kill ${kills} of ${o.kills})` : ''}`);
        // What the checkpoint coordinator said (resumed from, skipped, superseded): the trail to follow when a chain differs.
        for (const line of checkpointLines(end)) log(`[crash]   ${line}`);
        if (outcome === 'failed') {
          log(`[crash]   the attempt failed (exit ${end.code}):\n${tail(end)}`);
          failed = true;
          break;
        }
        if (outcome === 'finished') break;
      }
      if (!failed) await verify(chain, out, chainKills);
    }
    const ok = !failed && kills === o.kills && referencesAgree !== false && chains.every((c) => c.diff.equal && c.leftovers.length === 0);
    log(`[crash] ${ok ? 'PASS' : 'FAIL'}: ${kills} SIGKILLs over ${chains.length - 1} chains (+ the failure-free one), ${chains.filter((c) => c.diff.equal).length} of ${chains.length} chains exactly the expected records`);
    return { job: job.name, seed: o.seed, expected: count, ...(referencesAgree !== undefined ? { referencesAgree } : {}), dryRunMs: dry.ms, dryRunCheckpoints, attempts, chains, kills, ok };
  } finally {
    if (!keep) await admin?.deleteTopics(topics).catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    if (keep) log(`[crash] kept ${work} (checkpoint directories ck-<chain>, file outputs) and the topics for a look`);
    else rmSync(work, { recursive: true, force: true });
  }
}
