import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../runners/index.js';
import { VirtualClock } from '../sdk/clock.js';
import { Pipeline } from '../sdk/pipeline.js';
import { judgeTranscript, loadTranscripts, TRANSCRIPTS, transcriptsPath } from './cases/transcripts.js';
import { runCase } from './harness.js';
import { applicableDifferences } from './transcripts/allowed-differences.js';
import { checkTranscript, observe } from './transcripts/transcript-check.js';
import { isOrderAgnostic, playTranscript, shuffled } from './transcripts/transcript-pipeline.js';
import { parseTranscript, type Transcript } from './transcripts/transcript.js';
import { readYamlDocuments, YamlDocumentsError } from './transcripts/yaml-documents.js';

/**
 * Beam's trigger transcripts on both runners (the matrix row 'Beam trigger transcripts'), and the
 * harness that plays them: it must reject the five deliberately wrong transcripts, never pass a
 * transcript only because of an allowed difference that does not explain the failure, and give
 * the same verdicts whatever the reshuffle seed.
 */

const transcripts = loadTranscripts();
const byName = (name: string): Transcript => transcripts.find((t) => t.name === name)!;

async function play(runner: string, t: Transcript, seed?: number) {
  const p = Pipeline.create({ runner, clock: new VirtualClock(0) });
  const played = playTranscript(p, t, seed);
  const result = await p.run();
  return { observed: observe(played), microBatch: result.batches !== undefined };
}

describe('the transcript file reader (the yaml package)', () => {
  it('reads block and flow collections, comments and documents', () => {
    const docs = readYamlDocuments('# head\nname: a   # trailing\nlist:\n  - input: [1, 2]\n  - expect:\n      - {window: [0, 9], values:[1],\n         final: true}\n---\nname: b\n');
    expect(docs).toEqual([{ name: 'a', list: [{ input: [1, 2] }, { expect: [{ window: [0, 9], values: [1], final: true }] }] }, { name: 'b' }]);
  });

  it('refuses a syntax error or a duplicate key, naming the line', () => {
    expect(() => readYamlDocuments('a: [1, 2\n')).toThrow(YamlDocumentsError);
    expect(() => readYamlDocuments('a: 1\na: 2\n')).toThrow(/unique/);
    try {
      readYamlDocuments('ok: 1\n---\na: 1\na: 2\n');
      expect.unreachable();
    } catch (e) {
      expect((e as YamlDocumentsError).line).toBe(4);
    }
  });

  it('reads Beam’s file exactly as the hand-written subset reader it replaced did', () => {
    // sha256 of the JSON of every document as the former reader (capability-matrix/transcripts/yaml-subset.ts) gave it
    const docs = readYamlDocuments(readFileSync(transcriptsPath(), 'utf8'));
    expect(docs).toHaveLength(16);
    expect(createHash('sha256').update(JSON.stringify(docs)).digest('hex')).toBe('f6c8eb54181b49f0a5e6a54f23a2823d70b5386548355383facbfba846250e58');
  });

  it('reads all 16 of Beam’s transcripts, naming a repeated name as Beam does', () => {
    expect(transcripts.map((t) => t.name)).toContain('output_time_fn_custom_timestamping_earliest_1');
    expect(transcripts).toHaveLength(16);
    expect(transcripts.filter((t) => t.error).map((t) => t.name)).toEqual(['bad_output', 'bad_expected_values', 'bad_expected_window', 'missing_output', 'missing_output_at_end']);
    // the misspelt key of bad_output is ignored, as Beam's harness ignores it: the global window applies
    expect(byName('bad_output')).toMatchObject({ windowFn: 'GlobalWindows', ignoredKeys: ['windowfn'] });
  });

  it('refuses an unknown action or pane field with the closest known one', () => {
    expect(() => parseTranscript({ name: 'x', transcript: [{ inputs: [1] }] }, 0)).toThrow(/unknown action 'inputs' \(did you mean 'input'\?\)/);
    expect(() => parseTranscript({ name: 'x', transcript: [{ expect: [{ windw: [0, 9] }] }] }, 0)).toThrow(/unknown field 'windw' \(did you mean 'window'\?\)/);
  });
});

describe.each(['native', 'microbatch'])('Beam’s trigger transcripts on %s', (runner) => {
  it('every transcript passes (some through declared allowed differences), except the one Watershed does not implement', async () => {
    const results = [];
    for (const c of TRANSCRIPTS.cases) results.push(await runCase(runner, c));
    const failed = results.filter((r) => r.status !== 'pass');
    expect(failed.map((r) => r.name)).toEqual(['output_time_fn_custom_timestamping_earliest_1']);
    expect(failed[0]!.reason).toMatch(/^not implemented: OUTPUT_AT_EARLIEST_TRANSFORMED/);
    const withDifferences = Object.fromEntries(results.filter((r) => r.differences).map((r) => [r.name, r.differences]));
    expect(withDifferences).toEqual({
      fixed_default_late_data: ['end-of-window-timestamp', 'allowed-lateness-enforced'],
      output_time_fn_earliest: ['allowed-lateness-enforced'],
      output_time_fn_latest: ['allowed-lateness-enforced'],
      output_time_fn_custom_timestamping_eow: ['end-of-window-timestamp', 'allowed-lateness-enforced'],
      output_time_fn_custom_timestamping_earliest: ['allowed-lateness-enforced'],
      early_late_sessions:
        runner === 'native' ? ['end-of-window-timestamp', 'allowed-lateness-enforced', 'count-triggers-per-element'] : ['end-of-window-timestamp', 'allowed-lateness-enforced'],
      garbage_collection: ['end-of-window-timestamp'],
      known_late_data_no_watermark_hold_possible: ['end-of-window-timestamp'],
    });
  }, 60_000);

  it('the deliberately wrong transcripts are rejected with the error they name', async () => {
    for (const t of transcripts.filter((x) => x.error)) {
      const { observed } = await play(runner, t);
      const outcome = checkTranscript(t, observed);
      expect(outcome.ok, t.name).toBe(false);
      expect(outcome.ok ? '' : outcome.error, t.name).toContain(t.error);
    }
  });

  it('order-agnostic transcripts give the same verdict whatever the reshuffle seed', async () => {
    for (const t of transcripts.filter((x) => isOrderAgnostic(x) && !x.error && x.timestampCombiner !== 'OUTPUT_AT_EARLIEST_TRANSFORMED')) {
      for (const seed of [1, 2, 99]) {
        const { observed, microBatch } = await play(runner, t, seed);
        expect(judgeTranscript(t, observed, microBatch), `${t.name}, seed ${seed}`).toMatchObject({ ok: true });
      }
    }
  });

  it('an allowed difference never hides another failure: a wrong value still fails the rewritten transcript', async () => {
    const t = byName('fixed_default_late_data');
    const wrong: Transcript = {
      ...t,
      steps: t.steps.map((s, i) => (i === 2 && s.kind === 'expect' ? { ...s, panes: s.panes.map((p, j) => (j === 1 ? { ...p, values: [10, 12] } : p)) } : s)),
    };
    const { observed, microBatch } = await play(runner, t);
    const verdict = judgeTranscript(wrong, observed, microBatch);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/^Unmatched output \{window: \[10, 19\], values: \[10, 12\]/);
  });
});

describe('the bundlings', () => {
  it('reshuffle with a seed: the same seed gives the same order, other seeds other orders', () => {
    const v = [1, 2, 3, 10, 11, 25];
    expect(shuffled(v, 7)).toEqual(shuffled(v, 7));
    expect([...shuffled(v, 7)].sort((a, b) => a - b)).toEqual(v);
    expect(new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(shuffled(v, s)))).size).toBeGreaterThan(1);
  });

  it('only the native runner needs the per-element count-trigger difference, and only for early_late_sessions', () => {
    const t = byName('early_late_sessions');
    expect(applicableDifferences(t, 'element-at-a-time').differences.map((d) => d.id)).toContain('count-triggers-per-element');
    expect(applicableDifferences(t, 'micro-batch').differences.map((d) => d.id)).not.toContain('count-triggers-per-element');
    expect(applicableDifferences(byName('fixed_default'), 'element-at-a-time').differences).toEqual([]);
  });
});
