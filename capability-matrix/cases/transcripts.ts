import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineCase, type Capability, type CheckResult, type ConformanceCase } from '../model.js';
import { ALLOWED_DIFFERENCES, applicableDifferences } from '../transcripts/allowed-differences.js';
import { checkTranscript, observe, type Observed } from '../transcripts/transcript-check.js';
import { bundlings, DEFAULT_RESHUFFLE_SEED, isOrderAgnostic, playTranscript, type PlayedTranscript } from '../transcripts/transcript-pipeline.js';
import { parseTranscripts, type Transcript } from '../transcripts/transcript.js';
import { windowingOf } from '../transcripts/transcript-windowing.js';
import { readYamlDocuments } from '../transcripts/yaml-documents.js';

/**
 * Apache Beam's trigger transcripts, played on each runner as Beam's TestStream harness plays them
 * (see transcripts/transcript-pipeline.ts): one case per transcript. The file lives beside the
 * repository, in `../shared/conformance/beam-trigger-transcripts.yaml` (Apache-2.0, never copied
 * here); `WATERSHED_SHARED_CONFORMANCE=<dir>` points elsewhere. Without it the suite cannot be
 * built (a matrix silently missing the row would be wrong).
 *
 * A transcript with an `error` is deliberately wrong: its case passes only when the check rejects it
 * with that error. A transcript Watershed plays differently, in a way the model allows, passes only
 * through a declared allowed difference (transcripts/allowed-differences.ts).
 */

const SOURCE = 'cases/transcripts.ts';
export const TRANSCRIPTS_FILE_NAME = 'beam-trigger-transcripts.yaml';

/** Where the transcripts are read from. */
export function transcriptsPath(): string {
  const dir = process.env['WATERSHED_SHARED_CONFORMANCE']
    ? process.env['WATERSHED_SHARED_CONFORMANCE'].replace(/\/?$/, '/')
    : fileURLToPath(new URL('../../../shared/conformance/', import.meta.url));
  return dir + TRANSCRIPTS_FILE_NAME;
}

/**
 * Beam's transcripts, parsed.
 * @throws Error naming the expected location when the file is not there
 */
export function loadTranscripts(path = transcriptsPath()): Transcript[] {
  if (!existsSync(path)) throw new Error(`Beam's trigger transcripts not found: ${path} (expected beside the repo, in ../shared/conformance; or set WATERSHED_SHARED_CONFORMANCE)`);
  return parseTranscripts(readYamlDocuments(readFileSync(path, 'utf8')));
}

const short = (s: string, max = 400) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Judges what one run of a transcript produced (pure: exported for the harness's own tests). */
export function judgeTranscript(t: Transcript, observed: Observed, microBatch: boolean): CheckResult {
  const asWritten = checkTranscript(t, observed);
  if (t.error !== undefined) {
    if (asWritten.ok) return { ok: false, reason: `the harness accepted a deliberately wrong transcript (it must fail with '${t.error}')` };
    if (!asWritten.error.includes(t.error)) return { ok: false, reason: `rejected, but with '${short(asWritten.error, 200)}' instead of '${t.error}'` };
    return { ok: true };
  }
  const unsupported = windowingOf(t).unsupported;
  if (unsupported) return { ok: false, reason: unsupported };
  if (asWritten.ok) return { ok: true };
  const { differences, rewritten } = applicableDifferences(t, microBatch ? 'micro-batch' : 'element-at-a-time');
  const ids = differences.map((d) => d.id);
  if (!ids.length) return { ok: false, reason: short(asWritten.error) };
  const withDifferences = checkTranscript(rewritten, observed);
  if (!withDifferences.ok) return { ok: false, reason: `${short(withDifferences.error)} (with the allowed differences ${ids.join(', ')}; as written: ${short(asWritten.error, 200)})` };
  return { ok: true, differences: ids, withoutDifferences: short(asWritten.error, 160) };
}

function describe(t: Transcript): string {
  const parts = [`${t.windowFn}, trigger ${t.triggerFn}, ${t.timestampCombiner}, ${t.accumulationMode}, allowed lateness ${t.allowedLateness}`];
  const keys = bundlings(t, [], DEFAULT_RESHUFFLE_SEED).map(([k]) => k);
  parts.push(isOrderAgnostic(t) ? `each input step played under every bundling: ${keys.join(', ')}` : `each input step played as one bundle under ${keys.join(' and ')}`);
  if (t.ignoredKeys.length) parts.push(`ignores the key${t.ignoredKeys.length > 1 ? 's' : ''} ${t.ignoredKeys.map((k) => `'${k}'`).join(', ')} as Beam’s harness does (so the defaults apply)`);
  if (t.steps.some((s) => s.kind === 'state')) parts.push('its state step is not checked (window-state internals; Beam’s harnesses skip it too)');
  if (t.error) parts.push(`deliberately wrong: the check must reject it with '${t.error}'`);
  return parts.join('; ');
}

function transcriptCase(t: Transcript): ConformanceCase<PlayedTranscript> {
  return defineCase({
    name: t.error ? `${t.name} (must be rejected)` : t.name,
    notes: describe(t),
    build: (p) => playTranscript(p, t),
    check: ({ out, microBatch }) => judgeTranscript(t, observe(out), microBatch),
  });
}

export const TRANSCRIPTS: Capability = {
  id: 'ours.beam-transcripts',
  group: 'Ours',
  name: 'Beam trigger transcripts',
  source: SOURCE,
  description:
    `Apache Beam's trigger transcripts (sdks/python/apache_beam/transforms/trigger_transcripts.yaml at Beam commit 20687e83a2e0, Apache-2.0, read from ../shared/conformance/${TRANSCRIPTS_FILE_NAME}), ` +
    'played as Beam’s TestStream harness plays them: GroupByKey and Combine.perKey, bundles split, reversed and reshuffled (seed ' +
    `${DEFAULT_RESHUFFLE_SEED}) where the result may not depend on them. The five deliberately wrong transcripts must be rejected.`,
  cases: loadTranscripts().map(transcriptCase),
  differences: ALLOWED_DIFFERENCES.map((d) => ({ id: d.id, title: d.title, why: d.why })),
};
