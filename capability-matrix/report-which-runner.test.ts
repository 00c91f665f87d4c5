import { describe, expect, it } from 'vitest';
import type { CaseResult, SuiteResult } from './harness.js';
import type { Measurement } from './model.js';
import { aspectAnswers, foldedNotes } from './report.js';

/**
 * The matrix's "which runner for what" by aspect, computed from the cases' numeric measurements,
 * and the folding of long cell notes. Suite results are made up here: no case runs.
 */

const latency = (value: number): Measurement => ({ aspect: 'latency', value, unit: 'ms' });
const panes = (value: number): Measurement => ({ aspect: 'pane granularity', value, unit: 'panes' });

function suite(rows: Record<string, Record<string, Record<string, Measurement | undefined>>>): SuiteResult {
  const runners = ['microbatch', 'native'];
  return {
    runners,
    capabilities: Object.entries(rows).map(([name, cases]) => ({
      id: name,
      group: 'When',
      name,
      description: '',
      source: 'cases/when.ts',
      caseNotes: Object.keys(cases).map((c) => ({ name: c })),
      cells: Object.fromEntries(
        runners.map((r) => [
          r,
          { verdict: 'Yes', summary: '', cases: Object.entries(cases).map(([c, byRunner]): CaseResult => ({ name: c, status: 'pass', ...(byRunner[r] ? { measured: byRunner[r] } : {}) })) },
        ]),
      ),
    })),
  };
}

describe("the matrix's which runner for what", () => {
  it('counts, per aspect, the cases in which each runner is better (lower latency, more early panes), with the values', () => {
    const answers = aspectAnswers(
      suite({
        Timers: { 'a timer': { microbatch: latency(700), native: latency(0) }, 'a tie': { microbatch: latency(0), native: latency(0) } },
        Triggers: { 'an early pane': { microbatch: latency(100), native: latency(300) }, 'count panes': { microbatch: panes(1), native: panes(2) } },
        // measured on one runner only: left out
        Other: { 'half measured': { microbatch: latency(5), native: undefined } },
      }),
    );
    expect(answers.map((a) => a.aspect)).toEqual(['latency', 'pane granularity', 'throughput', 'memory']);
    const [lat, gran, throughput] = answers;
    expect(lat!.cases).toHaveLength(3);
    expect(lat!.answer).toMatch(/^native sooner in 1 of 3 cases; microbatch sooner in 1 of 3 cases; the same in 1 \(/);
    expect(lat!.answer).toContain('Timers: microbatch 700, native 0; Timers: microbatch 0, native 0; Triggers: microbatch 100, native 300');
    expect(gran!.answer).toMatch(/^native finer \(more early panes\) in 1 of 1 case \(/);
    expect(throughput).toMatchObject({ cases: [], answer: expect.stringContaining('not measured here') });
  });

  it('has nothing to say with one runner', () => {
    expect(aspectAnswers({ runners: ['native'], capabilities: [] })).toEqual([]);
  });
});

describe('cell notes', () => {
  it('short notes stay open; long ones fold under their first line, cut at its first colon when that line is long', () => {
    expect(foldedNotes(['2/2 cases pass'])).toBe('<div>2/2 cases pass</div>');
    expect(foldedNotes(['1/2 cases pass', '✗ a case: it failed because of a reason that takes many words to explain in full'])).toBe(
      '<details><summary>1/2 cases pass</summary><div>✗ a case: it failed because of a reason that takes many words to explain in full</div></details>',
    );
    expect(foldedNotes(['not implemented: no trigger reads element contents or metadata; triggers see counts and time only'])).toBe(
      '<details><summary>not implemented</summary><div>no trigger reads element contents or metadata; triggers see counts and time only</div></details>',
    );
    expect(foldedNotes([])).toBe('');
  });
});
