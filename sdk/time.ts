/**
 * Event-time and processing-time instants are plain numbers: milliseconds since the Unix epoch.
 *
 * A watermark `W` means "no more elements with a timestamp below `W` are expected". So an event-time
 * timer at `t` fires once the watermark is strictly greater than `t` (or the input ended: the watermark
 * is TIMESTAMP_MAX, which fires a timer at TIMESTAMP_MAX too), and a window is complete once the
 * watermark passes its `maxTimestamp` (every window is, at the end of the input). Runners act on
 * watermarks in whole ms (rounded down), as windows end on whole ms.
 */
export type Instant = number;

/** The smallest representable timestamp; a watermark that has not started yet. */
export const TIMESTAMP_MIN: Instant = -9_007_199_254_740_991;
/** The largest representable timestamp; the watermark of a finished (bounded) input: "+infinity". */
export const TIMESTAMP_MAX: Instant = 9_007_199_254_740_991;
/** The maxTimestamp of the global window: one day before TIMESTAMP_MAX, as in Beam, so timers past it exist. */
export const END_OF_GLOBAL_WINDOW: Instant = TIMESTAMP_MAX - 86_400_000;

/** A length of time in milliseconds. */
export type Duration = number;

/** `n` milliseconds as a {@link Duration} (durations are plain milliseconds): `millis(250)` is 250. */
export const millis = (n: number): Duration => n;
/** `n` seconds in milliseconds: `seconds(3)` is 3000, e.g. `FixedWindows(seconds(10))`. */
export const seconds = (n: number): Duration => n * 1000;
/** `n` minutes in milliseconds: `minutes(2)` is 120000, e.g. `Sessions(minutes(30))`. */
export const minutes = (n: number): Duration => n * 60_000;
/** `n` hours in milliseconds: `hours(1)` is 3600000, e.g. `.withAllowedLateness(hours(1))`. */
export const hours = (n: number): Duration => n * 3_600_000;

/** Formats an instant for messages: ISO for ordinary values, symbolic names at the extremes. */
export function formatInstant(t: Instant): string {
  if (t <= TIMESTAMP_MIN) return '-inf';
  if (t >= TIMESTAMP_MAX) return '+inf';
  if (t === END_OF_GLOBAL_WINDOW) return 'end-of-global-window';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}
