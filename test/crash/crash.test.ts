import { expect, it } from 'vitest';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { runCrashHarness } from './crash-harness.js';
import { CRASH_JOBS } from './crash-jobs.js';

/**
 * The SIGKILL harness inside `npm test`, short: the small Netflow Kafka → Kafka job killed 4 times
 * at seeded moments (failpoints and timed kills, both runners, each rerun resuming the previous
 * attempt's checkpoints), then read back read_committed: exactly the records of a run without
 * crashes. `npm run test:crash` runs the long one (20 kills of Netflow scenario 1; test/crash/run-crash.ts).
 */
kafkaDescribe('SIGKILL at seeded moments, Kafka → Kafka Netflow with --checkpointDir', (env) => {
  it('4 kills (seed 1) across both runners: every chain commits exactly the failure-free output', async () => {
    const lines: string[] = [];
    const report = await runCrashHarness({ brokers: env.brokers, job: CRASH_JOBS['small']!, kills: 4, seed: 1, killsPerChain: 2, log: (l) => lines.push(l) });
    const summary = lines.join('\n');
    expect(report.kills, summary).toBe(4);
    expect(report.attempts.filter((a) => a.outcome === 'failed'), summary).toEqual([]);
    for (const c of report.chains) expect({ chain: c.chain, ...c.diff }, summary).toMatchObject({ equal: true, missingCount: 0, extraCount: 0, actual: report.expected });
    // The kills hit both runners and both kinds of moment (what the seed draws is fixed).
    const killed = report.attempts.filter((a) => a.outcome === 'killed');
    expect(new Set(killed.map((a) => a.moment!.kind)).size, summary).toBe(2);
    expect(report.ok, summary).toBe(true);
  }, 900_000);
});
