import { expect, it } from 'vitest';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { runCrashHarness } from './crash-harness.js';
import { CRASH_JOBS } from './crash-jobs.js';
import { expectExactlyOnce } from './expect-exactly-once.js';

/**
 * The SIGKILL harness inside `npm test`, short, Kafka in: each job is killed a few times at seeded
 * moments (failpoints and timed kills, both runners, each rerun resuming the previous attempt's
 * checkpoints), then run to its end and its output read back (read_committed, or the finished part
 * files of a TextFile folder): exactly the records of a run without crashes. `npm run test:crash`
 * runs the long ones (20 kills each; test/crash/run-crash.ts); ./crash-file.test.ts the file inputs.
 */

kafkaDescribe('SIGKILL at seeded moments, Kafka → Kafka and Kafka → TextFile, with --checkpointDir', (env) => {
  it('Netflow, 4 kills (seed 1) across both runners: every chain commits exactly the failure-free output', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ brokers: env.brokers, job: CRASH_JOBS['small']!, kills: 4, seed: 1, killsPerChain: 2, log: (l) => lines.push(l) });
    expectExactlyOnce(report, lines, 4);
    // The kills hit both kinds of moment (what the seed draws is fixed).
    const killed = report.attempts.filter((a) => a.outcome === 'killed');
    expect(new Set(killed.map((a) => a.moment!.kind)).size, lines.join('\n')).toBe(2);
  }, 900_000);

  it('Netflow at --parallelism=2 (the grouping stage runs 2 instances, checkpoints hold both), 2 kills (seed 5): every chain commits exactly the failure-free output', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ brokers: env.brokers, job: CRASH_JOBS['small-p2']!, kills: 2, seed: 5, killsPerChain: 2, log: (l) => lines.push(l) });
    expectExactlyOnce(report, lines, 2);
  }, 900_000);

  it('windowed count with early, on-time and late panes (accumulating), Kafka → Kafka, 3 kills: both runners agree, every chain commits exactly those panes', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ brokers: env.brokers, job: CRASH_JOBS['count']!, kills: 3, seed: 2, killsPerChain: 3, log: (l) => lines.push(l) });
    expect(report.referencesAgree, lines.join('\n')).toBe(true);
    expectExactlyOnce(report, lines, 3);
  }, 600_000);

  it('windowed count, Kafka → TextFile parts, 2 kills: the finished parts hold exactly the failure-free panes, no in-progress part left', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ brokers: env.brokers, job: CRASH_JOBS['count-text']!, kills: 2, seed: 4, killsPerChain: 2, log: (l) => lines.push(l) });
    expect(report.referencesAgree, lines.join('\n')).toBe(true);
    expectExactlyOnce(report, lines, 2);
  }, 600_000);
});
