import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWatermarkValve, WatermarkValveError, type WatermarkValveProblem } from '../../runners/core/exchange/watermark-valve.js';
import { TIMESTAMP_MAX, TIMESTAMP_MIN } from '../../sdk/time.js';

type ValveEvent = { readonly kind: 'status'; readonly input: number; readonly watermark: number; readonly idle: boolean } | { readonly kind: 'end'; readonly input: number };

/**
 * The reference: after each accepted event, every input's state is recomputed from the whole history so
 * far (its watermark the largest it was sent, or +infinity once ended; its idle flag the last it was
 * sent), then the output from the previous output by the rule, stated directly:
 * - every input idle: the larger of the previous output and the largest watermark;
 * - else the minimum over the active inputs not below the previous output, when there is one;
 * - else the previous output.
 * Events on an ended input are refused by the valve and left out here.
 */
function reference(inputs: number, events: readonly ValveEvent[]): { outputs: number[]; accepted: boolean[]; regressions: number } {
  const history: ValveEvent[] = [];
  const outputs: number[] = [];
  const accepted: boolean[] = [];
  let output = TIMESTAMP_MIN;
  let regressions = 0;
  for (const e of events) {
    const endedBefore = history.some((h) => h.kind === 'end' && h.input === e.input);
    accepted.push(!endedBefore);
    if (endedBefore) {
      outputs.push(output);
      continue;
    }
    if (e.kind === 'status') {
      const before = Math.max(TIMESTAMP_MIN, ...history.filter((h) => h.kind === 'status' && h.input === e.input).map((h) => (h as { watermark: number }).watermark));
      if (e.watermark < before) regressions++;
    }
    history.push(e);
    const state = Array.from({ length: inputs }, (_, i) => {
      const mine = history.filter((h) => h.input === i);
      if (mine.some((h) => h.kind === 'end')) return { watermark: TIMESTAMP_MAX, idle: false };
      const statuses = mine.filter((h): h is Extract<ValveEvent, { kind: 'status' }> => h.kind === 'status');
      return { watermark: Math.max(TIMESTAMP_MIN, ...statuses.map((s) => s.watermark)), idle: statuses.at(-1)?.idle ?? false };
    });
    if (state.every((s) => s.idle)) output = Math.max(output, ...state.map((s) => s.watermark));
    else {
      const holding = state.filter((s) => !s.idle && s.watermark >= output);
      if (holding.length > 0) output = Math.min(...holding.map((s) => s.watermark));
    }
    outputs.push(output);
  }
  return { outputs, accepted, regressions };
}

/** Random event sequences over `inputs` inputs; small watermarks so that ties and regressions are common. */
const scenario = fc.integer({ min: 1, max: 4 }).chain((inputs) =>
  fc.tuple(
    fc.constant(inputs),
    fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.record({ kind: fc.constant('status' as const), input: fc.nat(inputs - 1), watermark: fc.integer({ min: 0, max: 30 }), idle: fc.boolean() }) },
        { weight: 1, arbitrary: fc.record({ kind: fc.constant('end' as const), input: fc.nat(inputs - 1) }) },
      ),
      { maxLength: 40 },
    ),
  ),
);

function problemOf(f: () => unknown): WatermarkValveProblem | 'no error' {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(WatermarkValveError);
    return (e as WatermarkValveError).problem;
  }
  return 'no error';
}

describe('watermark valve', () => {
  it('gives the output of the brute-force reference after every event, and never goes back', () => {
    fc.assert(
      fc.property(scenario, ([inputs, events]) => {
        const valve = createWatermarkValve(inputs);
        const ref = reference(inputs, events);
        let previous = valve.output;
        events.forEach((e, k) => {
          const apply = () => (e.kind === 'end' ? valve.end(e.input) : valve.update(e.input, { watermark: e.watermark, idle: e.idle }));
          if (ref.accepted[k]) expect(apply()).toBe(ref.outputs[k]);
          else expect(problemOf(apply)).toBe('ended');
          expect(valve.output).toBe(ref.outputs[k]);
          expect(valve.output).toBeGreaterThanOrEqual(previous);
          previous = valve.output;
        });
        expect(valve.regressions).toBe(ref.regressions);
        // Its report of each input matches the history too: the largest watermark, +infinity once ended.
        for (let i = 0; i < inputs; i++) {
          const mine = events.filter((e) => e.input === i);
          const endAt = mine.findIndex((e) => e.kind === 'end');
          const upToEnd = endAt < 0 ? mine : mine.slice(0, endAt);
          const s = valve.input(i);
          expect(s.ended).toBe(endAt >= 0);
          expect(s.watermark).toBe(endAt >= 0 ? TIMESTAMP_MAX : Math.max(TIMESTAMP_MIN, ...upToEnd.map((e) => (e.kind === 'status' ? e.watermark : TIMESTAMP_MIN))));
        }
        expect(valve.ended).toBe(Array.from({ length: inputs }, (_, i) => valve.input(i).ended).every(Boolean));
        expect(valve.idle).toBe(Array.from({ length: inputs }, (_, i) => valve.input(i).idle).every(Boolean));
      }),
      { numRuns: 300 },
    );
  });

  it('with no input ever idle, is the minimum over the inputs of the largest watermark each was sent (+infinity once ended)', () => {
    fc.assert(
      fc.property(scenario, ([inputs, events]) => {
        const valve = createWatermarkValve(inputs);
        const highest = new Array<number>(inputs).fill(TIMESTAMP_MIN);
        for (const e of events) {
          if (valve.input(e.input).ended) continue;
          if (e.kind === 'end') {
            valve.end(e.input);
            highest[e.input] = TIMESTAMP_MAX;
          } else {
            valve.update(e.input, { watermark: e.watermark, idle: false });
            highest[e.input] = Math.max(highest[e.input]!, e.watermark);
          }
          expect(valve.output).toBe(Math.min(...highest));
        }
      }),
    );
  });

  it('leaves idle inputs out, takes the largest when all are idle, and lets a comeback below the output count only once it catches up', () => {
    const valve = createWatermarkValve(3);
    expect(valve.output).toBe(TIMESTAMP_MIN);
    expect(valve.update(0, { watermark: 10, idle: false })).toBe(TIMESTAMP_MIN);
    expect(valve.update(1, { watermark: 20, idle: false })).toBe(TIMESTAMP_MIN);
    expect(valve.update(2, { watermark: 30, idle: false })).toBe(10);
    // Input 0 goes idle: the others count.
    expect(valve.update(0, { watermark: 12, idle: true })).toBe(20);
    expect(valve.idle).toBe(false);
    // Input 0 comes back below the output: it does not hold the output back...
    expect(valve.update(0, { watermark: 15, idle: false })).toBe(20);
    expect(valve.input(0)).toEqual({ watermark: 15, idle: false, ended: false, aligned: false });
    expect(valve.update(1, { watermark: 40, idle: false })).toBe(30);
    // ...until it reaches the output; then it is the minimum again.
    expect(valve.update(0, { watermark: 35, idle: false })).toBe(30);
    expect(valve.input(0).aligned).toBe(true);
    expect(valve.update(2, { watermark: 50, idle: false })).toBe(35);
    // All idle: the largest of them.
    valve.update(0, { watermark: 35, idle: true });
    valve.update(1, { watermark: 40, idle: true });
    expect(valve.idle).toBe(false);
    expect(valve.update(2, { watermark: 50, idle: true })).toBe(50);
    expect(valve.idle).toBe(true);
    // One comes back behind the output: nothing holds, nothing moves, and the valve is no longer idle.
    expect(valve.update(1, { watermark: 45, idle: false })).toBe(50);
    expect(valve.idle).toBe(false);
    expect(valve.update(1, { watermark: 60, idle: false })).toBe(60);
    // The largest, even when it is ahead of every watermark that held the output.
    const two = createWatermarkValve(2);
    two.update(0, { watermark: 10, idle: false });
    expect(two.update(1, { watermark: 30, idle: true })).toBe(10);
    expect(two.update(0, { watermark: 10, idle: true })).toBe(30);
  });

  it('counts an ended input as +infinity: it never holds the output, and the output is +infinity when the others are idle or ended', () => {
    const valve = createWatermarkValve(2);
    valve.update(0, { watermark: 5, idle: false });
    expect(valve.end(1)).toBe(5);
    expect(valve.input(1)).toEqual({ watermark: TIMESTAMP_MAX, idle: false, ended: true, aligned: true });
    expect(valve.ended).toBe(false);
    expect(valve.update(0, { watermark: 7, idle: true })).toBe(TIMESTAMP_MAX);
    const both = createWatermarkValve(2);
    both.update(0, { watermark: 3, idle: true });
    both.end(0);
    expect(both.input(0).idle).toBe(false);
    expect(both.end(1)).toBe(TIMESTAMP_MAX);
    expect(both.ended).toBe(true);
  });

  it('ignores and counts an input watermark that goes back, applying its idle flag', () => {
    const valve = createWatermarkValve(2);
    valve.update(0, { watermark: 10, idle: false });
    valve.update(1, { watermark: 20, idle: false });
    expect(valve.update(0, { watermark: 4, idle: false })).toBe(10);
    expect(valve.input(0).watermark).toBe(10);
    expect(valve.regressions).toBe(1);
    expect(valve.update(1, { watermark: 3, idle: true })).toBe(10);
    expect(valve.input(1)).toMatchObject({ watermark: 20, idle: true });
    expect(valve.regressions).toBe(2);
    // An equal watermark is no regression.
    valve.update(0, { watermark: 10, idle: false });
    expect(valve.regressions).toBe(2);
  });

  it('refuses what breaks its contract, with a typed error', () => {
    expect(problemOf(() => createWatermarkValve(0))).toBe('inputs');
    expect(problemOf(() => createWatermarkValve(1.5))).toBe('inputs');
    const valve = createWatermarkValve(2);
    expect(problemOf(() => valve.update(2, { watermark: 0, idle: false }))).toBe('input');
    expect(problemOf(() => valve.update(-1, { watermark: 0, idle: false }))).toBe('input');
    expect(problemOf(() => valve.input(2))).toBe('input');
    expect(problemOf(() => valve.update(0, { watermark: Number.NaN, idle: false }))).toBe('watermark');
    expect(problemOf(() => valve.update(0, { watermark: Number.POSITIVE_INFINITY, idle: false }))).toBe('watermark');
    expect(problemOf(() => valve.update(0, { watermark: TIMESTAMP_MIN - 1, idle: false }))).toBe('watermark');
    valve.end(0);
    expect(problemOf(() => valve.update(0, { watermark: 1, idle: false }))).toBe('ended');
    expect(problemOf(() => valve.end(0))).toBe('ended');
    // A refused call changes nothing.
    expect(valve.output).toBe(TIMESTAMP_MIN);
    expect(valve.update(1, { watermark: 9, idle: false })).toBe(9);
  });
});
