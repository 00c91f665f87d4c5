import { expect } from 'vitest';
import type { CrashReport } from './crash-harness.js';

/**
 * The SIGKILL harness's verdict as test assertions: `kills` kills happened, no attempt failed
 * otherwise, every chain published exactly the failure-free records (none missing, none extra) and
 * left nothing behind, and the report is ok. Each failure message is the harness log (`lines`).
 * @example const lines: string[] = []; const report = await runCrashHarness({ ..., log: (l) => lines.push(l) }); expectExactlyOnce(report, lines, 2);
 */
export function expectExactlyOnce(report: CrashReport, lines: readonly string[], kills: number): void {
  const summary = lines.join('\n');
  expect(report.kills, summary).toBe(kills);
  expect(report.attempts.filter((a) => a.outcome === 'failed'), summary).toEqual([]);
  for (const c of report.chains) {
    expect({ chain: c.chain, ...c.diff }, summary).toMatchObject({ equal: true, missingCount: 0, extraCount: 0, actual: report.expected });
    expect(c.leftovers, summary).toEqual([]);
  }
  expect(report.ok, summary).toBe(true);
}
