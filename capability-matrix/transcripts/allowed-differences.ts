import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { GLOBAL_WINDOW } from '../../sdk/window.js';
import type { ExpectedPane, Transcript, TranscriptStep } from './transcript.js';
import { windowingOf } from './transcript-windowing.js';

/**
 * Where Watershed's runners may legitimately play a Beam transcript differently from what the
 * transcript says, and what they must do instead. Each difference rewrites the transcript's
 * expectations into Watershed's (by a rule where one exists, else by listing the panes). A
 * transcript that fails as written passes only if the rewritten one passes on that runner, so a
 * difference cannot hide another failure; the report shows how it failed as written.
 * The report lists each difference with its reason and where it applied: nothing about it is
 * written by hand in the report.
 *
 * @example applicableDifferences(t, 'micro-batch') // [{ id: 'end-of-window-timestamp', ... }]
 */

export type ExecutionModel = 'element-at-a-time' | 'micro-batch';

export interface AllowedDifference {
  readonly id: string;
  readonly title: string;
  /** Why the model allows it (shown in the report). */
  readonly why: string;
  readonly models: readonly ExecutionModel[];
  /** The transcript with Watershed's expectations, or undefined when the difference does not touch it. */
  rewrite(t: Transcript): Transcript | undefined;
}

type Expect = Extract<TranscriptStep, { kind: 'expect' }>;

/** Rewrites every expect step; undefined when nothing changed. */
function mapExpects(t: Transcript, f: (e: Expect, watermark: number, previous: TranscriptStep | undefined) => Expect): Transcript | undefined {
  let wm = TIMESTAMP_MIN;
  let previous: TranscriptStep | undefined;
  let changed = false;
  const steps = t.steps.map((s) => {
    if (s.kind === 'watermark') wm = Math.max(wm, s.to);
    if (s.kind !== 'expect') {
      if (s.kind !== 'state') previous = s;
      return s;
    }
    const out = f(s, wm, previous);
    if (JSON.stringify(out) !== JSON.stringify(s)) changed = true;
    return out;
  });
  return changed ? { ...t, steps } : undefined;
}

const END_OF_WINDOW: AllowedDifference = {
  id: 'end-of-window-timestamp',
  title: 'The end of a window is its last millisecond',
  why:
    'Where the transcript stamps a pane with the instant just after its window (10 for the window [0, 9]), Watershed stamps it with the ' +
    'window’s maximum timestamp, end − 1 (9), as Beam’s Java SDK does (BoundedWindow.maxTimestamp) and as Beam’s Python harness reports it today ' +
    '(int(window.max_timestamp())). Both say “the end of the window”; only the convention differs. A timestamp inside the window is never rewritten.',
  models: ['element-at-a-time', 'micro-batch'],
  rewrite(t) {
    if (t.timestampCombiner === 'OUTPUT_AT_EARLIEST_TRANSFORMED') return undefined;
    return mapExpects(t, (e) => ({
      ...e,
      panes: e.panes.map((p) => (p.window && p.timestamp === p.window[1] + 1 ? { ...p, timestamp: p.window[1] } : p)),
    }));
  },
};

const ALLOWED_LATENESS: AllowedDifference = {
  id: 'allowed-lateness-enforced',
  title: 'A window is closed once its allowed lateness is over',
  why:
    'The transcript expects windows to stay open after the watermark passed their end plus the allowed lateness (0 unless it says otherwise): ' +
    'an ON_TIME pane that is not final, and a LATE pane for data arriving later still. In Beam’s model a window is garbage-collected then: ' +
    'its ON_TIME pane is its last (final), and later data is dropped (Beam’s Java SDK: LateDataDroppingDoFnRunner). Watershed does the same and ' +
    'sends each dropped element to the late-data output, which the rewritten transcript checks. Rule: a non-final pane fired by a watermark past ' +
    'its window’s end plus the lateness is expected final; an input step whose every element is that late is expected to emit nothing and drop them all.',
  models: ['element-at-a-time', 'micro-batch'],
  rewrite(t) {
    const { windowFn } = windowingOf(t);
    const expired = (v: number, wm: number) => windowFn.assignWindows({ element: undefined, timestamp: v, window: GLOBAL_WINDOW }).every((w) => wm > w.maxTimestamp + t.allowedLateness);
    return mapExpects(t, (e, wm, previous) => {
      if (previous?.kind === 'input' && previous.values.length > 0 && previous.values.every((v) => expired(v, wm))) {
        return { kind: 'expect', panes: [], dropped: [...(e.dropped ?? []), ...previous.values] };
      }
      if (previous?.kind === 'watermark') {
        return { ...e, panes: e.panes.map((p): ExpectedPane => (p.final === false && p.window && wm > p.window[1] + t.allowedLateness ? { ...p, final: true } : p)) };
      }
      return e;
    });
  },
};

/**
 * early_late_sessions on a runner that takes one element at a time. Derived by hand from the
 * trigger (early AfterCount(2), late AfterCount(3), accumulating Sessions(10)) with every input its own bundle.
 */
const ONE_ELEMENT_BUNDLES: AllowedDifference = {
  id: 'count-triggers-per-element',
  title: 'Element at a time: count triggers are evaluated after every element',
  why:
    'Beam’s harness feeds each input step of this transcript as one bundle, and Beam’s trigger driver evaluates the trigger once per bundle, ' +
    'so AfterCount(2) sees [1, 2, 3] at once and fires one early pane of three. The native runner takes one element at a time (as Flink does): ' +
    'AfterCount(2) fires as soon as the second element arrives. The model only promises that a count trigger fires after at least n elements, ' +
    'and Beam’s own trigger tests expect different panes for different bundle sizes. The rewritten transcript is the same one played with ' +
    'bundles of one element (derived by hand from the trigger, not from a run); the micro-batch runner, which evaluates triggers once per batch, plays it as written.',
  models: ['element-at-a-time'],
  rewrite(t) {
    if (t.name !== 'early_late_sessions') return undefined;
    const expect = (panes: ExpectedPane[], dropped?: number[]): TranscriptStep => ({ kind: 'expect', panes, ...(dropped ? { dropped } : {}) });
    const input = (...values: number[]): TranscriptStep => ({ kind: 'input', values });
    return {
      ...t,
      steps: [
        input(1, 2, 3),
        // 1, 2: the session [1, 12) has two elements and fires; 3 extends it to [1, 13) and starts the count again
        expect([{ window: [1, 11], values: [1, 2], timestamp: 11, early: true }]),
        input(4), // the second element since the last pane
        expect([{ window: [1, 13], values: [1, 2, 3, 4], timestamp: 13, early: true }]),
        input(5),
        input(6),
        expect([{ window: [1, 15], values: [1, 2, 3, 4, 5, 6], timestamp: 15, early: true }]),
        { kind: 'watermark', to: 100 },
        // nothing new since the early pane: the ON_TIME pane still fires (FIRE_ALWAYS) and is final (lateness 0)
        expect([{ window: [1, 15], values: [1, 2, 3, 4, 5, 6], timestamp: 15, final: true, early: false, late: false }]),
        input(1),
        expect([], [1]),
        input(3, 4),
        expect([], [3, 4]),
      ],
    };
  },
};

/** Every allowed difference, in the order they are applied. */
export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [END_OF_WINDOW, ALLOWED_LATENESS, ONE_ELEMENT_BUNDLES];

/** The differences that touch `t` on a runner of the given model, with the transcript each step leaves. */
export function applicableDifferences(t: Transcript, model: ExecutionModel): { readonly differences: readonly AllowedDifference[]; readonly rewritten: Transcript } {
  const differences: AllowedDifference[] = [];
  let rewritten = t;
  for (const d of ALLOWED_DIFFERENCES) {
    if (!d.models.includes(model)) continue;
    const next = d.rewrite(rewritten);
    if (next) {
      differences.push(d);
      rewritten = next;
    }
  }
  return { differences, rewritten };
}
