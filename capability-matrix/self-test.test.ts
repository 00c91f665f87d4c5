import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import '../runners/index.js';
import { registeredRunners, registerRunner } from '../sdk/runner.js';
import { CannotStopRunner, DrainOnlyStopsRunner, ForgetsCheckpointsRunner, IgnoresTriggersRunner, REFUSAL_REASON, RefusesEverythingRunner } from './broken-runners.js';
import { runSuite, score, type SuiteResult, type Verdict } from './harness.js';
import { defineCase, type Capability } from './model.js';
import { buildReport, renderMarkdown } from './report.js';
import { CHECKPOINT } from './cases/checkpoint.js';
import { DRAIN } from './cases/drain.js';
import { CAPABILITIES } from './suite.js';
import { kafkaBrokers } from '../test/kafka/kafka-test-env.js';

/**
 * The suite must be able to fail. Two deliberately broken runners are registered (in this test
 * process only) and measured:
 * - ignores-triggers: the native runner with every trigger rewritten to Never(), so each window fires
 *   once, at the end. It must lose the trigger-dependent rows and keep the plain ones.
 * - refuses-everything: rejects every pipeline at validation. It must get No everywhere, with the reason.
 * - forgets-checkpoints: the native runner checkpointing into a fresh directory per run, so it never
 *   resumes. Measured on the Checkpoint row only: it must get No there.
 * - cannot-stop and drain-only-stops: the native runner without PipelineRun.stop, and one whose drain
 *   only stops. Measured on the Drain row only: No, and Partially (its stop-and-resume cases pass).
 */

const here = dirname(fileURLToPath(import.meta.url));

registerRunner('ignores-triggers', () => new IgnoresTriggersRunner());
registerRunner('refuses-everything', () => new RefusesEverythingRunner());
registerRunner('forgets-checkpoints', () => new ForgetsCheckpointsRunner());
registerRunner('cannot-stop', () => new CannotStopRunner());
registerRunner('drain-only-stops', () => new DrainOnlyStopsRunner());

// The Kafka row runs when the vitest global setup provides a broker; without one it is left out.
const brokers = kafkaBrokers();
const MEASURED = brokers === null ? CAPABILITIES.filter((c) => !c.requires?.includes('kafka')) : CAPABILITIES;

let suite: SuiteResult;
let forgetful: SuiteResult;
let stopless: SuiteResult;
beforeAll(async () => {
  if (brokers !== null) process.env['KAFKA_BROKERS'] = brokers;
  suite = await runSuite(MEASURED, ['ignores-triggers', 'refuses-everything']);
  forgetful = await runSuite([CHECKPOINT], ['forgets-checkpoints']);
  stopless = await runSuite([DRAIN], ['cannot-stop', 'drain-only-stops']);
}, 120_000);

const verdict = (runner: string, id: string): Verdict => {
  const c = suite.capabilities.find((x) => x.id === id);
  if (!c) throw new Error(`no capability ${id}`);
  return c.cells[runner]!.verdict;
};
const ids = (group: string) => CAPABILITIES.filter((c) => c.group === group).map((c) => c.id);

describe('the suite itself', () => {
  it('has unique capability ids, unique case names per capability, and links to case files that exist', () => {
    expect(new Set(CAPABILITIES.map((c) => c.id)).size).toBe(CAPABILITIES.length);
    for (const c of CAPABILITIES) {
      expect(new Set(c.cases.map((x) => x.name)).size, c.id).toBe(c.cases.length);
      expect(existsSync(join(here, c.source)), c.source).toBe(true);
      // a row is either measured, or explicitly not implemented, or explicitly not yet covered
      expect(c.cases.length > 0 || !!c.notYetCovered || !!c.notImplemented, c.id).toBe(true);
    }
  });

  it('covers every Beam row of the What / Where / When / How questions', () => {
    const names = (g: string) => CAPABILITIES.filter((c) => c.group === g).map((c) => c.name);
    expect(names('What')).toEqual([
      'ParDo',
      'GroupByKey',
      'Flatten',
      'Combine',
      'Composite Transforms',
      'Side Inputs',
      'Source API',
      'Metrics',
      'Stateful Processing',
      'Bounded Splittable DoFn',
      'Unbounded Splittable DoFn',
    ]);
    expect(names('Where')).toEqual(['Global windows', 'Fixed windows', 'Sliding windows', 'Session windows', 'Custom windows', 'Custom merging windows', 'Timestamp control']);
    expect(names('When')).toEqual([
      'Configurable triggering',
      'Event-time triggers',
      'Processing-time triggers',
      'Count triggers',
      '[Meta]data driven triggers',
      'Composite triggers',
      'Allowed lateness',
      'Timers',
    ]);
    expect(names('How')).toEqual(['Discarding', 'Accumulating', 'Accumulating & Retracting']);
  });

  it('scores Yes / Partially / No / untested from the case results', () => {
    const cap = (n: number): Capability => ({
      id: 'x',
      group: 'What',
      name: 'X',
      description: '',
      source: 'cases/what.ts',
      cases: Array.from({ length: n }, (_, i) => defineCase({ name: `c${i}`, build: () => undefined, check: () => ({ ok: true }) })),
    });
    const r = (status: 'pass' | 'fail' | 'rejected') => ({ name: status, status, ...(status === 'pass' ? {} : { reason: 'because' }) });
    expect(score(cap(2), [r('pass'), r('pass')])).toMatchObject({ verdict: 'Yes', summary: '2/2 cases pass' });
    expect(score(cap(2), [r('pass'), r('fail')])).toMatchObject({ verdict: 'Partially', summary: '1/2 cases pass' });
    expect(score(cap(2), [r('fail'), r('rejected')])).toMatchObject({ verdict: 'No', summary: '0/2 cases pass, 1 rejected at validation' });
    expect(score(cap(2), [r('rejected'), r('rejected')])).toMatchObject({ verdict: 'No', summary: 'rejected at validation (2/2 cases)' });
    expect(score({ ...cap(0), notYetCovered: 'later' }, [])).toEqual({ verdict: 'untested', summary: 'later', cases: [] });
    // not implemented is a No, kept apart from not yet covered
    expect(score({ ...cap(0), notImplemented: 'no such thing' }, [])).toEqual({ verdict: 'No', summary: 'not implemented: no such thing', cases: [] });
  });

  it('registering a runner adds a column: the registry, not the suite, decides the columns', () => {
    expect(registeredRunners()).toEqual(expect.arrayContaining(['ignores-triggers', 'microbatch', 'native', 'refuses-everything']));
    const md = renderMarkdown(buildReport(suite));
    expect(md).toContain('| Capability | ignores-triggers | refuses-everything |');
  });
});

describe('a runner that ignores triggers (fires each window once, at the end)', () => {
  const R = 'ignores-triggers';

  it('still gets Yes on the plain What and Where rows, and on state and timers (also in merging windows: no case there needs a trigger)', () => {
    const notPlain = ['what.sdf-bounded', 'what.sdf-unbounded', 'where.sessions'];
    for (const id of [...ids('What').filter((x) => !notPlain.includes(x)), ...ids('Where').filter((x) => !notPlain.includes(x)), 'ours.dead-letters', 'ours.replay', 'ours.key-order']) expect([id, verdict(R, id)]).toEqual([id, 'Yes']);
    // Session windows: the cases with early and late panes of merged sessions fail, the plain ones pass
    const sessions = suite.capabilities.find((c) => c.id === 'where.sessions')!.cells[R]!;
    expect(verdict(R, 'where.sessions')).toBe('Partially');
    expect(sessions.cases.filter((c) => c.status !== 'pass').map((c) => c.name)).toEqual([
      expect.stringMatching(/^sessions merge per key .*early/),
      expect.stringMatching(/^late data within the allowed lateness/),
    ]);
    // until issue #15 both were Partially: state and timers after merging windows were refused when the pipeline was built
    for (const id of ['what.stateful', 'when.timers']) expect([id, verdict(R, id)]).toEqual([id, 'Yes']);
    const stateful = suite.capabilities.find((c) => c.id === 'what.stateful')!.cells[R]!;
    expect(stateful.cases.filter((c) => /merging windows/.test(c.name)).length).toBeGreaterThanOrEqual(4);
    expect(stateful.cases.filter((c) => /^set state/.test(c.name)).length).toBeGreaterThanOrEqual(4);
    const timers = suite.capabilities.find((c) => c.id === 'when.timers')!.cells[R]!;
    expect(timers.cases.filter((c) => /sessions|Sessions|session/.test(c.name)).length).toBeGreaterThanOrEqual(4);
  });

  it.runIf(brokers !== null)('gets Yes on the Kafka row (its cases use the default trigger, which fires at the end anyway)', () => {
    expect(verdict(R, 'ours.kafka')).toBe('Yes');
  });

  it('gets No where every case needs its trigger', () => {
    for (const id of ['when.configurable', 'when.processing-time', 'when.composite', 'how.discarding', 'how.accumulating', 'ours.pt-latency']) {
      expect([id, verdict(R, id)]).toEqual([id, 'No']);
    }
  });

  it('gets Partially where only some cases need a trigger, and the notes say which case fails and why', () => {
    // Count triggers: the edge case whose counts never reach the trigger's (per key and window) passes without one
    for (const id of ['when.event-time', 'when.allowed-lateness', 'when.count', 'how.retracting', 'ours.late-data']) expect([id, verdict(R, id)]).toEqual([id, 'Partially']);
    const count = suite.capabilities.find((c) => c.id === 'when.count')!.cells[R]!;
    expect(count.cases.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([expect.stringMatching(/^edge: counts are per key and window/)]);
    const eventTime = suite.capabilities.find((c) => c.id === 'when.event-time')!.cells[R]!;
    expect(eventTime.summary).toBe('2/5 cases pass');
    const failed = eventTime.cases.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.name)).toEqual([
      'late firings: a LATE pane per late element after the ON_TIME pane',
      expect.stringMatching(/^pane index, nonSpeculativeIndex/),
      expect.stringMatching(/^edge: the ON_TIME pane is the last one/),
    ]);
    expect(failed[0]!.reason).toContain("line 1 is '[0,3000) ON_TIME #0 last {\"key\":\"a\",\"value\":4}'");
  });

  it('gets Partially on the Checkpoint row: its own checkpoints resume, a native one (whose triggers differ) does not fit', () => {
    expect(verdict(R, 'ours.checkpoint')).toBe('Partially');
    const cell = suite.capabilities.find((c) => c.id === 'ours.checkpoint')!.cells[R]!;
    const failed = cell.cases.filter((c) => c.status === 'fail');
    expect(failed.map((c) => c.name)).toEqual([expect.stringMatching(/^a checkpoint taken by the other runner resumes here/)]);
    expect(failed[0]!.reason).toMatch(/CheckpointMismatchError: .*step 'Count' changed/);
  });

  it('reports the rows Watershed does not implement as No (not implemented), not as not yet covered', () => {
    for (const id of ['what.sdf-bounded', 'when.metadata-driven']) expect([id, verdict(R, id)]).toEqual([id, 'No']);
    const cell = suite.capabilities.find((c) => c.id === 'what.sdf-bounded')!.cells[R]!;
    expect(cell.summary).toMatch(/^not implemented: /);
  });
});

describe('a runner that rejects every pipeline at validation', () => {
  const R = 'refuses-everything';

  it('gets No on every measured row, with the validation reason recorded per case', () => {
    for (const c of suite.capabilities) {
      const cell = c.cells[R]!;
      expect([c.id, cell.verdict]).toEqual([c.id, c.caseNotes.length === 0 && !CAPABILITIES.find((x) => x.id === c.id)!.notImplemented ? 'untested' : 'No']);
      for (const x of cell.cases) {
        // a run with a checkpoint directory (the Drain row) is refused before validation: no checkpoints here
        if (x.status === 'fail') {
          expect(x.reason, `${c.id}: ${x.name}`).toMatch(/^(the run|the case's preparation) failed: PipelineOptionsError: --checkpointDir: the refuses-everything runner does not take checkpoints/);
          continue;
        }
        expect(x.status).toBe('rejected');
        expect(x.reason).toContain('rejected at validation');
        expect(x.reason).toContain(REFUSAL_REASON);
      }
    }
  });
});

describe('a runner that takes checkpoints but never resumes from them', () => {
  it('gets No on the Checkpoint row: restarted runs commit again what the crashed runs had committed', () => {
    const cell = forgetful.capabilities[0]!.cells['forgets-checkpoints']!;
    expect(cell.verdict).toBe('No');
    expect(cell.cases.length).toBeGreaterThanOrEqual(4);
    for (const c of cell.cases) {
      expect(c.status).toBe('fail');
      // TextFile.write moves parts newer than the restored checkpoint aside, so a fresh start publishes the same lines
      if (c.name.startsWith('text file')) expect(c.reason).toBe('the run did not resume from a checkpoint');
      else expect(c.reason).toMatch(/^committed output \(sorted\): expected/);
    }
  });
});

describe('runners that cannot drain', () => {
  const cell = (runner: string) => stopless.capabilities[0]!.cells[runner]!;

  it('a runner whose runs cannot be stopped gets No on the Drain row, saying so in every case', () => {
    expect(cell('cannot-stop').verdict).toBe('No');
    for (const c of cell('cannot-stop').cases) expect([c.name, c.status, c.reason]).toEqual([c.name, 'fail', expect.stringMatching(/cannot stop a run gracefully/)]);
  });

  it('a runner whose drain only stops gets Partially: the stop-and-resume case passes, every drain fails as STOPPED', () => {
    expect(cell('drain-only-stops').verdict).toBe('Partially');
    const failed = cell('drain-only-stops').cases.filter((c) => c.status !== 'pass');
    expect(failed.map((c) => c.reason)).toEqual(failed.map(() => 'the run ended STOPPED; expected DRAINED'));
    expect(cell('drain-only-stops').cases.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([expect.stringMatching(/^stop without drain, then resume/)]);
  });
});
