import { SourcePositionError } from '../errors.js';

/** What a field of a numeric position holds: a `count` is a safe integer >= 0, an `instant` any number (±infinite included). */
export type NumericField = 'count' | 'instant';

/**
 * Reads a source position made of numbers (e.g. `{ i: 1000, maxTs: 5000 }` for a generator),
 * checking that each listed field is there with the right kind of number.
 * @throws SourcePositionError ('malformed') naming `input` when it is not such a position.
 * @example const { i, maxTs } = numericPosition('Generate', ctx.resumeFrom, { i: 'count', maxTs: 'instant' });
 */
export function numericPosition<K extends string>(input: string, p: unknown, fields: Readonly<Record<K, NumericField>>): Record<K, number> {
  const ok =
    typeof p === 'object' &&
    p !== null &&
    Object.entries<NumericField>(fields).every(([k, kind]) => {
      const v = (p as Record<string, unknown>)[k];
      return kind === 'count' ? Number.isSafeInteger(v) && (v as number) >= 0 : typeof v === 'number' && !Number.isNaN(v);
    });
  if (!ok) {
    const shown = (JSON.stringify(p) ?? String(p)).slice(0, 200);
    throw new SourcePositionError(input, 'malformed', `expected a position { ${Object.keys(fields).join(', ')} }, got ${shown}`);
  }
  return p as Record<K, number>;
}
