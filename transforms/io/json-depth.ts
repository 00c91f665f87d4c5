/**
 * How deep a JSON text nests, checked before it is parsed: a value nested 100,000 levels parses
 * (V8's parser does not recurse) but then overflows the stack of everything that walks it
 * (`JSON.stringify`, `structuredClone`, a reviver), failing the run far from the line that caused it.
 * Internal to the package.
 */

/** The deepest nesting of arrays and objects a JSON line may have (real logs nest a few levels). */
export const MAX_JSON_DEPTH = 1000;

/**
 * Why `text` nests arrays and objects more than `max` levels deep, or undefined when it does not
 * (brackets inside strings do not count). Looks at texts longer than `max` characters only (a shorter one
 * cannot nest deeper), in one pass without allocating. Says nothing about whether `text` is valid JSON.
 * @example jsonDepthProblem('[[1]]') // undefined
 * @example jsonDepthProblem('['.repeat(5000)) // 'nested more than 1000 levels deep'
 */
export function jsonDepthProblem(text: string, max: number = MAX_JSON_DEPTH): string | undefined {
  if (text.length <= max) return undefined;
  // Nesting needs an opening bracket per level: with no more than `max` of them (counted by the native
  // indexOf, fast on real logs), the character by character scan below is not needed.
  if (openings(text, 91, max) + openings(text, 123, max) <= max) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash: the next character is escaped
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 || c === 123) {
      if (++depth > max) return `nested more than ${max} levels deep`;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return undefined;
}

/** How many times `text` holds the character `code`, counting up to `max + 1` only. */
function openings(text: string, code: number, max: number): number {
  const c = String.fromCharCode(code);
  let n = 0;
  for (let i = text.indexOf(c); i >= 0 && n <= max; i = text.indexOf(c, i + 1)) n++;
  return n;
}
