import type { LateRecord } from '../../sdk/graph.js';
import type { KV } from '../../sdk/kv.js';
import type { CapturedRecord, Probe } from '../../sdk/testing/capture.js';
import { isIntervalWindow } from '../../sdk/window.js';
import type { ExpectedPane, Transcript, TranscriptStep } from './transcript.js';
import { ACTION_SPACING, type PlayedTranscript } from './transcript-pipeline.js';

/**
 * Checks what a played transcript produced against what it expects, with the rules of Beam's
 * transcript harnesses:
 * - the outputs of an action (input or watermark step) are matched by the `expect` steps right after
 *   it, for each key (bundling) and each aggregation (GroupByKey, Combine.perKey) on its own;
 * - each expected pane must match one output on every field it gives (a partial match), else
 *   "Unmatched output"; an output no expected pane took is "Unexpected output" (also at the end);
 * - an expect step's `dropped` (Watershed's addition, used by allowed differences) lists the inputs
 *   the aggregation must send to its late-data output instead.
 * Pure: the same captured outputs always give the same answer.
 *
 * @example checkTranscript(t, observe(played)) // { ok: false, error: "Unmatched output {window: [0, 9], values: [1, 2]} after watermark 100 ..." }
 */

/** One output pane as the transcripts describe it. */
export interface ObservedPane {
  readonly key: string;
  /** The index of the action whose processing emitted it. */
  readonly action: number;
  /** [start, end-inclusive] (end − 1 ms); `null` for the global window. */
  readonly window: readonly [number, number] | null;
  readonly values: readonly number[];
  readonly timestamp: number;
  readonly early: boolean;
  readonly late: boolean;
  readonly final: boolean;
  readonly index: number;
  readonly nonspeculative_index: number;
}

export interface ObservedDrop {
  readonly key: string;
  readonly action: number;
  readonly value: number;
}

export interface Observed {
  readonly keys: readonly string[];
  readonly aggregations: readonly { readonly name: string; readonly panes: readonly ObservedPane[]; readonly drops: readonly ObservedDrop[] }[];
}

export type CheckOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

const actionOf = (emittedAt: number) => Math.floor(emittedAt / ACTION_SPACING);

function pane(r: CapturedRecord<KV<string, number[]>>): ObservedPane {
  const w = r.window;
  return {
    key: r.value.key,
    action: actionOf(r.emittedAt),
    window: isIntervalWindow(w) ? [w.start, w.maxTimestamp] : null,
    values: r.value.value,
    timestamp: r.timestamp,
    early: r.pane.timing === 'EARLY',
    late: r.pane.timing === 'LATE',
    final: r.pane.isLast,
    index: r.pane.index,
    nonspeculative_index: r.pane.nonSpeculativeIndex,
  };
}

function drops(probe: Probe<LateRecord>): ObservedDrop[] {
  return probe.records.map((r) => {
    const v = r.value.value as KV<string, number>;
    return { key: v.key, action: actionOf(r.emittedAt), value: v.value };
  });
}

/** What a run of the played transcript produced, per aggregation. */
export function observe(played: PlayedTranscript): Observed {
  return {
    keys: played.keys,
    aggregations: [
      { name: 'GroupByKey', panes: played.grouped.records.filter((r) => !r.retraction).map(pane), drops: drops(played.groupedLate) },
      { name: 'Combine.perKey', panes: played.combined.records.filter((r) => !r.retraction).map(pane), drops: drops(played.combinedLate) },
    ],
  };
}

/** An action and the expect steps after it. */
interface Block {
  readonly action: Exclude<TranscriptStep, { kind: 'expect' } | { kind: 'state' }> | undefined;
  readonly expected: ExpectedPane[];
  dropped: number[] | undefined;
}

function blocks(t: Transcript): Block[] {
  const out: Block[] = [{ action: undefined, expected: [], dropped: undefined }];
  for (const s of t.steps) {
    if (s.kind === 'state') continue;
    if (s.kind === 'expect') {
      const b = out[out.length - 1]!;
      b.expected.push(...s.panes);
      if (s.dropped) b.dropped = [...(b.dropped ?? []), ...s.dropped];
    } else out.push({ action: s, expected: [], dropped: undefined });
  }
  return out;
}

const list = (xs: readonly number[]) => `[${xs.join(', ')}]`;

/** A pane in the transcript's own notation, fields in a fixed order. */
export function formatPane(p: ExpectedPane | ObservedPane): string {
  const parts: string[] = [];
  if ('window' in p && p.window !== undefined) parts.push(`window: ${p.window === null ? 'global' : list(p.window)}`);
  for (const k of ['values', 'timestamp', 'early', 'late', 'final', 'index', 'nonspeculative_index'] as const) {
    const v = (p as Record<string, unknown>)[k];
    if (v !== undefined) parts.push(`${k}: ${Array.isArray(v) ? list(v) : String(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

function describe(b: Block): string {
  if (!b.action) return 'before the first action';
  return b.action.kind === 'input' ? `input ${list(b.action.values)}` : `watermark ${b.action.to}`;
}

function matches(actual: ObservedPane, e: ExpectedPane): boolean {
  for (const [k, v] of Object.entries(e)) {
    const a = (actual as unknown as Record<string, unknown>)[k];
    if (JSON.stringify(a) !== JSON.stringify(v)) return false;
  }
  return true;
}

/** Checks every action's outputs, first aggregation and key first; the first problem is the answer. */
export function checkTranscript(t: Transcript, observed: Observed): CheckOutcome {
  const bs = blocks(t);
  for (let a = 0; a < bs.length; a++) {
    const b = bs[a]!;
    // Block 0 holds outputs before any action; action i (1-based in bs) was played at (i - 1) spacings.
    const at = a - 1;
    for (const agg of observed.aggregations) {
      for (const key of observed.keys) {
        const where = `after ${describe(b)}, key '${key}', ${agg.name}`;
        const actual = agg.panes.filter((p) => p.key === key && p.action === at);
        const left = [...actual];
        for (const e of b.expected) {
          const i = left.findIndex((x) => matches(x, e));
          if (i < 0) return { ok: false, error: `Unmatched output ${formatPane(e)} ${where}; its outputs: ${actual.length ? actual.map(formatPane).join(' ') : 'none'}` };
          left.splice(i, 1);
        }
        if (left.length) return { ok: false, error: `Unexpected output ${left.map(formatPane).join(' ')} ${where}` };
        if (b.dropped) {
          const got = agg.drops.filter((d) => d.key === key && d.action === at).map((d) => d.value).sort((x, y) => x - y);
          const want = [...b.dropped].sort((x, y) => x - y);
          if (list(got) !== list(want)) return { ok: false, error: `Unmatched late-data output ${where}: expected ${list(want)} dropped as late, got ${list(got)}` };
        }
      }
    }
  }
  return { ok: true };
}
