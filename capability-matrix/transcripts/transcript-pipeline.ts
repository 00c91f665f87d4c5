import type { CombineFn } from '../../sdk/combine-fn.js';
import type { LateRecord } from '../../sdk/graph.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MIN, type Instant } from '../../sdk/time.js';
import { Combine } from '../../transforms/combine.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import type { Transcript } from './transcript.js';
import { windowingOf, type TranscriptWindowing } from './transcript-windowing.js';

/**
 * Builds the pipeline that plays one transcript, the way Beam's TestStream harness does:
 * - every input step is fed under several keys, one per way of cutting it into bundles. When the
 *   result cannot depend on bundling (the default trigger, accumulating), the keys are `original`,
 *   `reversed`, `reshuffled(<seed>)`, `one-element-bundles`, `one-element-bundles-reversed` and
 *   `two-element-bundles`; otherwise `key1` and `key2`, each the whole step as one bundle;
 * - each bundle is one `addElements` followed by a watermark step that keeps the watermark where it
 *   is, so a micro-batch ends with the bundle (on the native runner every element is its own bundle);
 * - the windowed elements go through GroupByKey and through Combine.perKey (a concatenating
 *   CombineFn), both checked;
 * - each action (input, watermark) is followed by a processing-time step of `ACTION_SPACING`, so the
 *   outputs of action `a` are the ones emitted in [a·spacing, (a+1)·spacing) of processing time.
 * After the script the watermark goes to infinity; what that emits is not checked (as in Beam).
 *
 * @example const played = playTranscript(p, transcript, 7); await p.run(); checkTranscript(transcript, collect(played))
 */

/** Virtual-clock time between two actions; longer than a default micro-batch interval (1000 ms). */
export const ACTION_SPACING = 10_000;

/** The seed of the `reshuffled` bundling in the committed report. */
export const DEFAULT_RESHUFFLE_SEED = 20_687;

export interface PlayedTranscript {
  readonly transcript: Transcript;
  readonly windowing: TranscriptWindowing;
  /** The bundling variants, by key. */
  readonly keys: readonly string[];
  readonly grouped: Probe<KV<string, number[]>>;
  readonly combined: Probe<KV<string, number[]>>;
  readonly groupedLate: Probe<LateRecord>;
  readonly combinedLate: Probe<LateRecord>;
}

/** Whether Beam's harness replays the transcript under every bundling (its result may not depend on bundles). */
export function isOrderAgnostic(t: Transcript): boolean {
  return (t.triggerFn === 'Default' || t.triggerFn === 'DefaultTrigger') && t.accumulationMode === 'accumulating';
}

/** How one input step is cut into bundles, by key. */
export function bundlings(t: Transcript, values: readonly number[], seed: number): [string, number[][]][] {
  if (!isOrderAgnostic(t)) return [['key1', [[...values]]], ['key2', [[...values]]]];
  const pairs: number[][] = [];
  for (let i = 0; i < values.length; i += 2) pairs.push(values.slice(i, i + 2));
  return [
    ['original', [[...values]]],
    ['reversed', [[...values].reverse()]],
    [`reshuffled(${seed})`, [shuffled(values, seed)]],
    ['one-element-bundles', values.map((v) => [v])],
    ['one-element-bundles-reversed', [...values].reverse().map((v) => [v])],
    ['two-element-bundles', pairs],
  ];
}

/** Adds the transcript's input, windowing and both aggregations to `p`. */
export function playTranscript(p: Pipeline, t: Transcript, seed = DEFAULT_RESHUFFLE_SEED): PlayedTranscript {
  const windowing = windowingOf(t);
  let stream = TestStream.create<KV<string, number>>();
  let wm: Instant = TIMESTAMP_MIN;
  let keys: string[] = bundlings(t, [], seed).map(([k]) => k);
  for (const step of t.steps) {
    if (step.kind === 'expect' || step.kind === 'state') continue;
    if (step.kind === 'input') {
      const variants = bundlings(t, step.values, seed);
      keys = variants.map(([k]) => k);
      for (const [key, bundles] of variants) {
        for (const bundle of bundles) {
          if (bundle.length === 0) continue;
          stream = stream.addElements(...bundle.map((v): [KV<string, number>, Instant] => [kv(key, v), v])).advanceWatermarkTo(wm);
        }
      }
    } else {
      wm = Math.max(wm, step.to);
      stream = stream.advanceWatermarkTo(wm);
    }
    stream = stream.advanceProcessingTime(ACTION_SPACING);
  }
  stream = stream.advanceWatermarkToInfinity();

  let window = Window.into<KV<string, number>>(windowing.windowFn).withAllowedLateness(t.allowedLateness).withTimestampCombiner(windowing.timestampCombiner);
  if (windowing.trigger.name !== 'DefaultTrigger') window = window.triggering(windowing.trigger);
  window = t.accumulationMode === 'accumulating' ? window.accumulatingFiredPanes() : window.discardingFiredPanes();
  const windowed = p.apply(stream).apply('Window', window);
  const grouped = windowed.apply('GroupByKey', GroupByKey<string, number>());
  const combined = windowed.apply('Concat', Combine.perKey<string, number, number[], number[]>(CONCAT));
  return {
    transcript: t,
    windowing,
    keys,
    grouped: grouped.apply('Sorted', MapElements((e: KV<string, number[]>) => kv(e.key, [...e.value].sort((a, b) => a - b)))).apply('GroupedOut', Capture.records()),
    combined: combined.apply('CombinedOut', Capture.records()),
    groupedLate: grouped.lateData().apply('GroupedLate', Capture.records()),
    combinedLate: combined.lateData().apply('CombinedLate', Capture.records()),
  };
}

/** Beam's `_ConcatCombineFn`: the pane's values, sorted. */
const CONCAT: CombineFn<number, number[], number[]> = {
  createAccumulator: () => [],
  addInput: (acc, v) => {
    acc.push(v);
    return acc;
  },
  mergeAccumulators: (accs) => accs.flat(),
  extractOutput: (acc) => [...acc].sort((a, b) => a - b),
};

/** A seeded Fisher–Yates shuffle (mulberry32): the same seed gives the same order on every run. */
export function shuffled(values: readonly number[], seed: number): number[] {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
