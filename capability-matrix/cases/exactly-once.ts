import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import { failpoints, SimulatedCrash } from '../../sdk/testing/failpoints.js';
import { eq, expectAll } from '../check.js';
import { defineCase, type Capability, type CaseContext, type ConformanceCase } from '../model.js';
import { statefulTimers, upperCaseFile, windowedCount, type Crash } from '../support/checkpoint-scenarios.js';
import { readPartLines } from '../support/read-parts.js';
import { otherRunner, runStoreScenario, type StoreScenario } from '../support/store-scenario-run.js';
import { prepareUpperCaseFile, upperCaseFileResumeOptions } from '../support/upper-case-file-runs.js';

/**
 * The Exactly-once row: each input affects the committed output exactly once across failures and
 * restarts. Unlike the Checkpoint row (one crash, one resume), a run here crashes several times in a
 * row (each crash in a run that resumed the previous one's checkpoints, at a different failpoint
 * around a checkpoint), and the measured run resumes the last. What sinks with two-phase commit
 * published (CommittedCapture, a transactional store; TextFile part files) must be exactly a
 * failure-free run's output: nothing lost, nothing twice, nothing left prepared. Kafka → Kafka
 * exactly-once is measured on a real broker by test/kafka/kafka-io-exactly-once.test.ts and the
 * SIGKILL harness (test/crash/), not here: this row needs no broker.
 */

const SOURCE = 'cases/exactly-once.ts';

/** Real-time guard for the runs `prepare` makes (the harness guards the measured run). */
const CHECKPOINT_INTERVAL = 1000;

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `watershed-matrix-eo-${prefix}-`));
const describeCrash = (c: Crash) => `${c.name} #${c.at}`;

/** One crash of a chain: where, and on which runner (default: the measured one). */
interface ChainCrash extends Crash {
  readonly onOtherRunner?: boolean;
}

/**
 * Runs `run(runner)` once per crash, each with that failpoint armed (action `throw`: SimulatedCrash),
 * each run resuming the previous one's checkpoints. Returns the crashes that happened.
 * @throws Error naming the crash when a run finishes without reaching its failpoint, or the run's own error.
 */
async function crashChain(crashes: readonly ChainCrash[], runner: string, run: (runner: string) => Promise<unknown>): Promise<string[]> {
  const happened: string[] = [];
  for (const c of crashes) {
    const on = c.onOtherRunner ? otherRunner(runner) : runner;
    failpoints.arm(c.name, { at: c.at });
    try {
      await run(on);
      throw new Error(`crash ${happened.length + 1} (${describeCrash(c)} on ${on}): the run finished without reaching it`);
    } catch (e) {
      if (!(e instanceof SimulatedCrash)) throw e;
      happened.push(`${describeCrash(c)} on ${on}`);
    } finally {
      failpoints.reset();
    }
  }
  return happened;
}


/** What a store-based case's `prepare` leaves. */
interface Crashed {
  /** Sorted committed lines of a failure-free run (no checkpoints) on the measured runner. */
  readonly expected: readonly string[];
  /** The store every crashed run committed into; the measured run writes into it too. */
  readonly store: CommittedStore<unknown>;
  readonly dir: string;
  readonly crashes: readonly string[];
}

function storeCase(name: string, notes: string, scenario: StoreScenario, crashes: readonly ChainCrash[]): ConformanceCase<Crashed, Crashed> {
  return defineCase<Crashed, Crashed>({
    name,
    notes,
    async prepare(ctx: CaseContext) {
      const failureFree = new CommittedStore<unknown>();
      await runStoreScenario(scenario, { runner: ctx.runner }, failureFree);
      const store = new CommittedStore<unknown>();
      const dir = tmp('ck');
      const happened = await crashChain(crashes, ctx.runner, (runner) => runStoreScenario(scenario, { runner, checkpointDir: dir, checkpointInterval: CHECKPOINT_INTERVAL }, store));
      return { expected: failureFree.lines({ sorted: true }), store, dir, crashes: happened };
    },
    options: (r) => ({ checkpointDir: r.dir, checkpointInterval: CHECKPOINT_INTERVAL }),
    build(p, r) {
      scenario(p, r.store);
      return r;
    },
    check({ out, result }) {
      return expectAll(
        eq('crashes before the measured run', out.crashes.length, crashes.length),
        eq('committed output (sorted)', out.store.lines({ sorted: true }), out.expected),
        eq('prepared but never committed', out.store.prepared.size, 0),
        result.checkpoints?.restoredFrom ? undefined : 'the run did not resume from a checkpoint',
      );
    },
  });
}

/** What the file case's `prepare` leaves. */
interface FileCrashed {
  readonly expected: readonly string[];
  readonly input: string;
  readonly out: string;
  readonly dir: string;
  readonly crashes: readonly string[];
}

function fileCase(crashes: readonly ChainCrash[]): ConformanceCase<FileCrashed, FileCrashed> {
  return defineCase<FileCrashed, FileCrashed>({
    name: `text file to TextFile parts: ${crashes.length} crashes in a row (${crashes.map(describeCrash).join(', ')}), then resumed`,
    notes:
      'TextFile.lines (2,000 lines) → Map → TextFile.write on a clock that ticks per read. Each run crashes at its failpoint and the next resumes it; ' +
      'the published part files, read in order, must be exactly the lines of a failure-free run, once each, and no part may be left hidden in progress.',
    async prepare(ctx) {
      const { expected, input, out, dir, checkpointed } = await prepareUpperCaseFile(ctx.runner, tmp);
      const happened = await crashChain(crashes, ctx.runner, checkpointed);
      return { expected, input, out, dir, crashes: happened };
    },
    options: (r) => upperCaseFileResumeOptions(r.dir),
    build(p, r) {
      upperCaseFile(p, r.input, r.out);
      return r;
    },
    check({ out, result }) {
      return expectAll(
        eq('crashes before the measured run', out.crashes.length, crashes.length),
        eq('lines of the published parts', readPartLines(out.out), out.expected),
        eq('parts left in progress', readdirSync(out.out).filter((n) => n.endsWith('.inprogress')), []),
        result.checkpoints?.restoredFrom ? undefined : 'the run did not resume from a checkpoint',
      );
    },
  });
}

const COUNT_NOTES =
  'TestStream → FixedWindows(10 s) with early (every 2 elements) and late (every element, lateness 5 s) accumulating panes → Count.perKey → CommittedCapture, ' +
  'checkpoint every 1 s of virtual time. The runs crash one after another (each resuming the last), so records of a checkpoint prepared by one run are committed by the next; ' +
  'the committed panes (sorted) must equal a failure-free run’s, and nothing may stay prepared.';

export const EXACTLY_ONCE: Capability = {
  id: 'ours.exactly-once',
  group: 'Ours',
  name: 'Exactly-once',
  source: SOURCE,
  description:
    'Each input affects the output exactly once across failures and restarts: a run with --checkpointDir crashes several times in a row around checkpoints, each rerun resuming the last; ' +
    'sinks with two-phase commit then hold exactly the output of a failure-free run.',
  cases: [
    storeCase(
      'windowed count with early and late panes: 3 crashes in a row (sink.preCommit #2, checkpoint.written #1, sink.commit #1), then resumed',
      COUNT_NOTES,
      windowedCount,
      [
        { name: 'sink.preCommit', at: 2 },
        { name: 'checkpoint.written', at: 1 },
        { name: 'sink.commit', at: 1 },
      ],
    ),
    storeCase(
      'stateful DoFn with timers: crashes on both runners (checkpoint.committed #1 on the other one, checkpoint.barrier #2 here), then resumed',
      'Value and bag state, event- and processing-time timers (see the Checkpoint row). The first crash is on the other shipped runner, the second on this one, ' +
        'each resuming the previous checkpoints: state, timers and pending output cross runners, and the committed output must equal a failure-free run’s.',
      statefulTimers,
      [
        { name: 'checkpoint.committed', at: 1, onOtherRunner: true },
        { name: 'checkpoint.barrier', at: 2 },
      ],
    ),
    storeCase(
      'windowed count, edge: the same crash point twice in a row across runners (sink.commit #1 here, sink.commit #1 on the other one, checkpoint.committed #1 here), then resumed',
      `${COUNT_NOTES} Each resumed run first commits the checkpoint the previous one left prepared, then crashes at its own first commit: recovery is repeated before anything new is committed, on both runners.`,
      windowedCount,
      [
        { name: 'sink.commit', at: 1 },
        { name: 'sink.commit', at: 1, onOtherRunner: true },
        { name: 'checkpoint.committed', at: 1 },
      ],
    ),
    fileCase([
      { name: 'sink.commit', at: 2 },
      { name: 'checkpoint.barrier', at: 2 },
      { name: 'sink.preCommit', at: 1 },
    ]),
  ],
};
