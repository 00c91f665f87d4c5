import { EXAMPLE_CHARS, type SideOutputExample } from '../../../sdk/run-observer.js';
import type { Instant } from '../../../sdk/time.js';

/** How many of the latest records each step keeps per kind between two samples. */
export const EXAMPLES_PER_STEP = 3;

/**
 * The latest records each step dropped as late or dead-lettered since the last {@link take}: at most
 * {@link EXAMPLES_PER_STEP} per step and kind, kept as references (nothing is copied or printed per
 * record) and turned into shortened JSON only when a sample takes them.
 * @example
 * const recent = new RecentSideOutputs();
 * engine.tapSideOutputs((step, kind, value) => recent.keep(step, kind, value));
 * recent.take(clock.now()) // [{ step: 'Count', kind: 'late', seenBy: 1000, text: '{"step":"Count",...}' }]
 */
export class RecentSideOutputs {
  private readonly latest = new Map<string, { step: string; kind: SideOutputExample['kind']; values: unknown[] }>();

  keep(step: string, kind: SideOutputExample['kind'], value: unknown): void {
    const key = `${kind}\u0000${step}`;
    let e = this.latest.get(key);
    if (e === undefined) this.latest.set(key, (e = { step, kind, values: [] }));
    if (e.values.length === EXAMPLES_PER_STEP) e.values.shift();
    e.values.push(value);
  }

  /** The records kept since the last call, oldest first per step, as shortened text; starts empty again. */
  take(seenBy: Instant): SideOutputExample[] {
    const out: SideOutputExample[] = [];
    for (const e of this.latest.values()) for (const v of e.values) out.push({ step: e.step, kind: e.kind, seenBy, text: shortJson(whyFirst(v)) });
    this.latest.clear();
    return out;
  }
}

/** What tells why a late record or dead letter is one, before the record itself (which may be long and is cut). */
const WHY = ['step', 'reason', 'message', 'window', 'timestamp', 'origin'];

/** A late record or dead letter with its reason, window, time and origin first, the record last. */
function whyFirst(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of WHY) if (k in v) out[k] = v[k];
  for (const [k, x] of Object.entries(v)) if (!(k in out)) out[k] = x;
  return out;
}

/**
 * `value` as JSON, cut at {@link EXAMPLE_CHARS} characters with `…`; values JSON cannot hold
 * (bigints, cycles) as `String(value)`.
 * @example shortJson({ a: 1 }) // '{"a":1}'
 */
export function shortJson(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > EXAMPLE_CHARS ? `${text.slice(0, EXAMPLE_CHARS - 1)}…` : text;
}
