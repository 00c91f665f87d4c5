import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommittedStore } from '../../sdk/testing/committed-capture.js';
import { eq, expectAll, observe } from '../check.js';
import { defineCase, type Capability, type CaseContext, type CaseRun, type ConformanceCase } from '../model.js';
import { crashAt, statefulSessions, statefulTimers, upperCaseFile, windowedCount, type Crash } from '../support/checkpoint-scenarios.js';
import { readPartLines } from '../support/read-parts.js';
import { otherRunner, runStoreScenario, type StoreScenario } from '../support/store-scenario-run.js';
import { prepareUpperCaseFile, upperCaseFileResumeOptions } from '../support/upper-case-file-runs.js';

/**
 * The Checkpoint row: a run crashes at a failpoint around a checkpoint (in `prepare`), and the
 * measured run is a NEW pipeline resuming from the same checkpoint directory. Its committed output
 * must equal a failure-free run's on the same runner: nothing lost, nothing twice. The scenarios are
 * shared with test/checkpoint/resume.test.ts (support/checkpoint-scenarios.ts).
 */

const SOURCE = 'cases/checkpoint.ts';

/** Real-time guard for the runs `prepare` makes (the harness guards the measured run). */

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `watershed-matrix-${prefix}-`));



/** What a store-based case's `prepare` leaves for the resuming run and its check. */
interface Resumable {
  /** Sorted committed lines of a failure-free run (no checkpoints) on the measured runner. */
  readonly expected: readonly string[];
  /** The store the crashed run committed into; the resuming run writes into it too. */
  readonly store: CommittedStore<unknown>;
  readonly dir: string;
  /** The runner the crashed run (and its checkpoints) ran on. */
  readonly takenBy: string;
  /** Set when the failure-free outputs of the crashing and the resuming runner differ. */
  readonly premise?: string;
}

const CHECKPOINT_INTERVAL = 1000;

/**
 * A case: a failure-free run of `scenario` on the measured runner, a run with checkpoints that crashes
 * at `crash` (on the measured runner, or on the other one when `crossRunner`), then the measured run
 * resumes it.
 */
function resumeCase(name: string, notes: string, scenario: StoreScenario, crash: Crash, crossRunner = false): ConformanceCase<Resumable, Resumable> {
  return defineCase<Resumable, Resumable>({
    name,
    notes,
    async prepare(ctx: CaseContext) {
      const failureFree = new CommittedStore<unknown>();
      await runStoreScenario(scenario, { runner: ctx.runner }, failureFree);
      const expected = failureFree.lines({ sorted: true });
      const takenBy = crossRunner ? otherRunner(ctx.runner) : ctx.runner;
      let premise: string | undefined;
      if (crossRunner) {
        const there = new CommittedStore<unknown>();
        await runStoreScenario(scenario, { runner: takenBy }, there);
        const theirs = there.lines({ sorted: true });
        if (JSON.stringify(theirs) !== JSON.stringify(expected)) premise = `a failure-free run on ${takenBy} commits other output than one on ${ctx.runner}`;
      }
      const store = new CommittedStore<unknown>();
      const dir = tmp('ck');
      await crashAt(crash, () => runStoreScenario(scenario, { runner: takenBy, checkpointDir: dir, checkpointInterval: CHECKPOINT_INTERVAL }, store));
      return { expected, store, dir, takenBy, ...(premise ? { premise } : {}) };
    },
    options: (r) => ({ checkpointDir: r.dir, checkpointInterval: CHECKPOINT_INTERVAL }),
    build(p, r) {
      scenario(p, r.store);
      return r;
    },
    check({ out, result }: CaseRun<Resumable>) {
      const from = result.checkpoints?.restoredFrom;
      const problems = [
          out.premise,
          eq('committed output (sorted)', out.store.lines({ sorted: true }), out.expected),
          eq('prepared but never committed', out.store.prepared.size, 0),
          from ? undefined : 'the run did not resume from a checkpoint',
          crossRunner && from && from.takenBy !== out.takenBy ? `resumed a checkpoint taken by ${from.takenBy}, not ${out.takenBy}` : undefined,
        ];
      // the table shows observations: only the cross-runner case has one worth a cell (whose checkpoint resumed)
      return crossRunner ? observe(from ? `resumed a ${from.takenBy} checkpoint` : 'not resumed', ...problems) : expectAll(...problems);
    },
  });
}

/** What the file case's `prepare` leaves. */
interface FileResume {
  readonly expected: readonly string[];
  readonly input: string;
  readonly out: string;
  readonly dir: string;
}

function fileCase(crash: Crash): ConformanceCase<FileResume, FileResume> {
  return defineCase<FileResume, FileResume>({
    name: `text file to TextFile parts: crash at ${crash.name} #${crash.at}, resume`,
    notes:
      'TextFile.lines (2,000 lines) → Map → TextFile.write, in small bundles and batches on a clock that ticks per read (so the checkpoint interval elapses without a TestStream). ' +
      'The published part files, read in order, must equal the single file of a failure-free run.',
    async prepare(ctx) {
      const { expected, input, out, dir, checkpointed } = await prepareUpperCaseFile(ctx.runner, tmp);
      await crashAt(crash, () => checkpointed(ctx.runner));
      return { expected, input, out, dir };
    },
    options: (r) => upperCaseFileResumeOptions(r.dir),
    build(p, r) {
      upperCaseFile(p, r.input, r.out);
      return r;
    },
    check({ out, result }) {
      return expectAll(
        eq('lines of the published parts', readPartLines(out.out), out.expected),
        result.checkpoints?.restoredFrom ? undefined : 'the run did not resume from a checkpoint',
      );
    },
  });
}

const COUNT_NOTES =
  'TestStream → FixedWindows(10 s) with early (every 2 elements) and late (every element, lateness 5 s) accumulating panes → Count.perKey → CommittedCapture, ' +
  'checkpoint every 1 s of virtual time. The committed panes (sorted) must equal a failure-free run’s on the same runner.';

export const CHECKPOINT: Capability = {
  id: 'ours.checkpoint',
  group: 'Ours',
  name: 'Checkpoint / restore',
  beamRow: 'Checkpoint',
  source: SOURCE,
  description:
    'A run with --checkpointDir crashes at a failpoint around a checkpoint; a new run with the same directory resumes from the newest checkpoint and commits exactly the output of a failure-free run (sinks with two-phase commit).',
  cases: [
    resumeCase('windowed count with early and late panes: crash at sink.preCommit #2, resume', COUNT_NOTES, windowedCount, { name: 'sink.preCommit', at: 2 }),
    resumeCase('windowed count with early and late panes: crash at checkpoint.committed #3, resume', COUNT_NOTES, windowedCount, { name: 'checkpoint.committed', at: 3 }),
    resumeCase(
      'stateful DoFn with event- and processing-time timers: crash at checkpoint.written #2, resume',
      'Value and bag state per key and window, an event-time timer flushing at the end of the window and a processing-time timer 1.5 s after the first element; ' +
        'state, timers and the virtual clock must come back from the checkpoint.',
      statefulTimers,
      { name: 'checkpoint.written', at: 2 },
    ),
    resumeCase(
      'stateful DoFn after sessions (state and timers merged with the sessions): crash at checkpoint.written #3, resume',
      'Bag, set, combining, map and value state per key and session, an event-time timer flushing at the end of the session and a processing-time timer; ' +
        'sessions merge before and after the checkpoint, so merged state and moved timers must come back from it.',
      statefulSessions,
      { name: 'checkpoint.written', at: 3 },
    ),
    fileCase({ name: 'sink.commit', at: 3 }),
    resumeCase(
      'a checkpoint taken by the other runner resumes here (windowed count, crash at checkpoint.barrier #3)',
      'The run crashes on the other shipped runner (native ↔ microbatch) and this runner resumes its checkpoint; ' +
        'both runners’ failure-free outputs must agree, and the resumed output must equal them.',
      windowedCount,
      { name: 'checkpoint.barrier', at: 3 },
      true,
    ),
  ],
};
