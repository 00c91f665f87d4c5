import { TIMESTAMP_MAX, TIMESTAMP_MIN, type Instant } from '../../../sdk/time.js';

/**
 * The watermark of an exchange read: one merged watermark out of the watermark statuses of its input
 * channels, one channel per upstream instance (design: docs/design/scale-out.md §3.5).
 *
 * Each input has a watermark (starting at TIMESTAMP_MIN), an idle flag (starting active) and an
 * `aligned` flag. The rule, the one Flink's StatusWatermarkValve follows (§8):
 * - the output is the minimum over the *aligned* active inputs. An active input is aligned when its
 *   watermark is at least the current output. Inputs start aligned, and an aligned input stays so while
 *   it is active (the output never passes it). An input that comes back from idle below the output is
 *   not aligned: it does not hold the output back until its watermark reaches the output. Its records
 *   in the meantime are late, as they would be behind any watermark;
 * - when every input is idle, the output is the maximum of their watermarks;
 * - when inputs are active but none is aligned, the output stays;
 * - the output never goes back: it only moves to a larger value;
 * - an input's watermark never goes back either. A status with a smaller watermark than the input
 *   already has is not an error (a replay after a restart may repeat old statuses): its watermark is
 *   ignored and counted in `regressions`, and its idle flag still applies;
 * - an input that ends counts from then on as active at TIMESTAMP_MAX, for good: it never holds the
 *   output back. So when every other input is idle the output becomes TIMESTAMP_MAX, as in the engine
 *   today, where a finished source is not idle and sits at +infinity (`Engine.pass`).
 *
 * Without comebacks from idle, this is `max(previous output, min over active inputs)`, or the maximum
 * over all inputs when all are idle. `idle` (all inputs idle) is what the exchange read reports as its
 * own idleness downstream. The valve is plain data: it reads no clock and does no I/O.
 *
 * @example
 * const valve = createWatermarkValve(2);
 * valve.update(0, { watermark: 10, idle: false }); // TIMESTAMP_MIN: input 1 is still there
 * valve.update(1, { watermark: 20, idle: false }); // 10
 * valve.update(0, { watermark: 15, idle: true });  // 20: input 0 is idle, input 1 alone counts
 * valve.end(1);                                     // TIMESTAMP_MAX: input 0 is idle, input 1 is at +infinity
 */

/** What an upstream instance says about its output: its watermark and whether it is idle. */
export interface WatermarkStatus {
  readonly watermark: Instant;
  readonly idle: boolean;
}

/** One input as the valve sees it. */
export interface ValveInput {
  readonly watermark: Instant;
  readonly idle: boolean;
  readonly ended: boolean;
  /** Active and not below the output: it holds the output back. */
  readonly aligned: boolean;
}

export interface WatermarkValve {
  /** The number of inputs (fixed at creation). */
  readonly inputs: number;
  /** The merged watermark: TIMESTAMP_MIN at first, never smaller than before. */
  readonly output: Instant;
  /** Every input is idle (an ended input is not idle). */
  readonly idle: boolean;
  /** Every input has ended: the output is TIMESTAMP_MAX. */
  readonly ended: boolean;
  /** Statuses whose watermark was below their input's and was ignored. */
  readonly regressions: number;
  /**
   * Takes a status of input `input` and returns the output after it.
   * @throws WatermarkValveError when `input` is not an index of an input, the input has ended, or the
   * watermark is not a number in TIMESTAMP_MIN..TIMESTAMP_MAX.
   */
  update(input: number, status: WatermarkStatus): Instant;
  /**
   * Input `input` has ended: from now on it is active at TIMESTAMP_MAX. Returns the output after it.
   * @throws WatermarkValveError when `input` is not an index of an input or has ended already.
   */
  end(input: number): Instant;
  /** A copy of what the valve holds for input `input`. @throws WatermarkValveError for an unknown input. */
  input(input: number): ValveInput;
}

/** What a `WatermarkValveError` is about. */
export type WatermarkValveProblem = 'inputs' | 'input' | 'ended' | 'watermark';

/** A valve used against its contract: a wiring mistake of the caller, never caused by a record. */
export class WatermarkValveError extends Error {
  override readonly name = 'WatermarkValveError';
  constructor(
    readonly problem: WatermarkValveProblem,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A valve over `inputs` inputs, all active at TIMESTAMP_MIN (see the module comment).
 * @throws WatermarkValveError when `inputs` is not an integer of at least 1.
 */
export function createWatermarkValve(inputs: number): WatermarkValve {
  if (!Number.isInteger(inputs) || inputs < 1) throw new WatermarkValveError('inputs', `a watermark valve needs an integer count of inputs, at least 1, got ${inputs}`);
  const watermark: Instant[] = new Array<Instant>(inputs).fill(TIMESTAMP_MIN);
  const idle: boolean[] = new Array<boolean>(inputs).fill(false);
  const ended: boolean[] = new Array<boolean>(inputs).fill(false);
  const aligned: boolean[] = new Array<boolean>(inputs).fill(true);
  let output = TIMESTAMP_MIN;
  let regressions = 0;
  let idleCount = 0;
  let endedCount = 0;

  const check = (i: number) => {
    if (!Number.isInteger(i) || i < 0 || i >= inputs) throw new WatermarkValveError('input', `no input ${i}: the valve has inputs 0..${inputs - 1}`);
    if (ended[i]) throw new WatermarkValveError('ended', `input ${i} has ended: it takes no more statuses`);
  };

  /** Moves the output after input statuses changed (inputs' aligned flags are up to date against the old output). */
  const settle = (): Instant => {
    let next: Instant | undefined;
    if (idleCount === inputs) {
      next = TIMESTAMP_MIN;
      for (let i = 0; i < inputs; i++) if (watermark[i]! > next) next = watermark[i]!;
    } else {
      for (let i = 0; i < inputs; i++) if (aligned[i] && (next === undefined || watermark[i]! < next)) next = watermark[i]!;
    }
    if (next !== undefined && next > output) output = next;
    return output;
  };

  return {
    inputs,
    get output() {
      return output;
    },
    get idle() {
      return idleCount === inputs;
    },
    get ended() {
      return endedCount === inputs;
    },
    get regressions() {
      return regressions;
    },
    update(i, status) {
      check(i);
      const wm = status.watermark;
      if (typeof wm !== 'number' || !(wm >= TIMESTAMP_MIN && wm <= TIMESTAMP_MAX)) {
        throw new WatermarkValveError('watermark', `input ${i}: a watermark must be a number in TIMESTAMP_MIN..TIMESTAMP_MAX, got ${String(wm)}`);
      }
      if (wm < watermark[i]!) regressions++;
      else watermark[i] = wm;
      if (status.idle !== idle[i]) idleCount += status.idle ? 1 : -1;
      idle[i] = status.idle;
      // Idle inputs never hold the output; an active one holds it from the moment it is not below it.
      aligned[i] = !status.idle && watermark[i]! >= output;
      return settle();
    },
    end(i) {
      check(i);
      if (idle[i]) idleCount--;
      idle[i] = false;
      ended[i] = true;
      endedCount++;
      watermark[i] = TIMESTAMP_MAX;
      aligned[i] = true;
      return settle();
    },
    input(i) {
      if (!Number.isInteger(i) || i < 0 || i >= inputs) throw new WatermarkValveError('input', `no input ${i}: the valve has inputs 0..${inputs - 1}`);
      return { watermark: watermark[i]!, idle: idle[i]!, ended: ended[i]!, aligned: aligned[i]! };
    },
  };
}
