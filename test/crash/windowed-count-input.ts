/**
 * The input of the windowed-count crash job (./windowed-count-job.ts): events `{k, ts}` over a small
 * key set, in an order built so that the job's output does not depend on how the input is cut into
 * bundles or micro-batches (of at most {@link COUNT_MAX_BATCH} elements). That is what lets a chain of
 * killed and resumed runs, on either runner, be compared with one failure-free run record for record.
 *
 * Layout (windows of {@link COUNT_WINDOW_MS}, rounds of {@link ROUND_MS}):
 * - each window has 39 rounds (its 40th is left empty); a round holds one on-time event per key, keys
 *   always in the same order, event times jittered inside the round (out of order within it). So two
 *   events of one key and window are {@link COUNT_KEYS}.length positions apart, more than a batch, and
 *   each key has an odd count per window: no early pane is due when the watermark passes the end;
 * - late events: in rounds 10–30 of a window, every other round, one event of the previous window
 *   (its end passed at least 10 rounds ago; its allowed lateness, one window, ends 10 rounds later),
 *   keys in turn: late panes, each its own;
 * - too-late events: every 7th of those rounds, one event three windows back (beyond the allowed
 *   lateness: dropped, no output).
 *
 * @example const events = windowedCountEvents({ windows: 6, seed: 1 }); // ~2,000 events
 */
import { mulberry32 } from '../../pipelines/netflow/prng.js';

/** The keys, in the order each round emits them. */
export const COUNT_KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] as const;
export const COUNT_WINDOW_MS = 10_000;
export const ROUND_MS = 250;
/** The largest bundle and micro-batch the job may run with (see the module comment). */
export const COUNT_MAX_BATCH = 4;
/** Event time of the first window's start (2026-01-01T00:00:00Z). */
export const COUNT_EPOCH = Date.UTC(2026, 0, 1);

/** One input event. */
export interface CountEvent {
  readonly k: string;
  readonly ts: number;
}

/** The events of `windows` windows, jitter and late keys from `seed`. */
export function windowedCountEvents(o: { windows: number; seed: number }): CountEvent[] {
  const random = mulberry32(o.seed);
  const rounds = COUNT_WINDOW_MS / ROUND_MS;
  const events: CountEvent[] = [];
  let late = 0;
  for (let w = 0; w < o.windows; w++) {
    const start = COUNT_EPOCH + w * COUNT_WINDOW_MS;
    for (let r = 0; r < rounds - 1; r++) {
      const roundStart = start + r * ROUND_MS;
      for (const k of COUNT_KEYS) events.push({ k, ts: roundStart + Math.floor(random() * (ROUND_MS - 1)) });
      if (w >= 1 && r >= 10 && r <= 30 && r % 2 === 0) {
        const k = COUNT_KEYS[late++ % COUNT_KEYS.length]!;
        events.push({ k, ts: start - COUNT_WINDOW_MS + Math.floor(random() * COUNT_WINDOW_MS) });
        if (w >= 3 && late % 7 === 0) events.push({ k, ts: start - 3 * COUNT_WINDOW_MS + Math.floor(random() * COUNT_WINDOW_MS) });
      }
    }
  }
  return events;
}
