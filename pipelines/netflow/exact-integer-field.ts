/**
 * Reads the source text of an integer-valued top-level JSON member, so that ids above 2^53
 * (which `JSON.parse` silently rounds) keep every digit.
 */

const DIGITS = /-?\d+/y;

/**
 * Returns the digits of the number written for top-level member `key` in the JSON object text
 * `json`, or `undefined` when the member is absent, not at the top level, or not written as an
 * integer literal (e.g. a string or `1.5e3`). Never throws; expects text that `JSON.parse` accepts.
 * @example exactIntegerField('{"eventid":9007199254740993,"a":1}', 'eventid') // '9007199254740993'
 * @example exactIntegerField('{"x":{"eventid":1}}', 'eventid')                 // undefined
 */
export function exactIntegerField(json: string, key: string): string | undefined {
  let depth = 0;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json[i];
    if (c === '"') {
      const end = endOfString(json, i);
      if (depth === 1 && json.slice(i + 1, end) === JSON.stringify(key).slice(1, -1)) {
        let j = end + 1;
        while (j < n && isSpace(json[j])) j++;
        if (json[j] === ':') {
          j++;
          while (j < n && isSpace(json[j])) j++;
          DIGITS.lastIndex = j;
          const m = DIGITS.exec(json);
          if (m === null) return undefined;
          const after = json[j + m[0].length];
          return after === '.' || after === 'e' || after === 'E' ? undefined : m[0];
        }
      }
      i = end + 1;
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return undefined;
}

/** Index of the closing quote of the string literal opening at `start`. */
function endOfString(json: string, start: number): number {
  let i = start + 1;
  while (i < json.length) {
    const c = json[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i;
    else i++;
  }
  return json.length;
}

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}
