/**
 * Parses sensor timestamps such as Suricata's `2021-06-06T15:59:46.457984+0200` exactly, keeping
 * the micro-seconds that `Date.parse` would drop.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Returns the instant written in `text` as whole micro-seconds since the Unix epoch, or
 * `undefined` when the text is not an ISO-8601 date-time or names an impossible date, time or
 * offset (an offset beyond ±23:59, e.g. `+25:00` or `+12:60`: refused, never applied as a shift).
 * Accepts a `T` or space separator, any number of fraction digits (truncated to micro-seconds),
 * and an offset `Z`, `+HH`, `+HHMM` or `+HH:MM`; text without an offset is read as UTC. Years
 * 0000..0099 are those years of the proleptic Gregorian calendar (not 1900..1999, as `Date.UTC`
 * would read them).
 * @example parseIsoMicros('2021-06-06T15:59:46.457984+0200') // 1622987986457984
 * @example parseIsoMicros('0099-01-01T00:00:00Z')              // -59042995200000000 (year 99)
 * @example parseIsoMicros('2021-06-06T15:59:46+25:00')        // undefined
 * @example parseIsoMicros('yesterday')                        // undefined
 */
export function parseIsoMicros(text: string): number | undefined {
  const m = ISO.exec(text.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction = '', offset = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const shift = offsetMinutes(offset);
  if (shift === undefined) return undefined;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined;
  const ms = date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000;
  const micros = Number((fraction + '000000').slice(0, 6));
  return ms * 1000 + micros - shift * 60_000_000;
}

/**
 * Like {@link parseIsoMicros}, in (fractional) seconds since the epoch.
 * @example parseIsoSeconds('2017-03-20T15:45:08.000Z') // 1490024708
 */
export function parseIsoSeconds(text: string): number | undefined {
  const micros = parseIsoMicros(text);
  return micros === undefined ? undefined : micros / 1e6;
}

/** The offset in minutes east of UTC, or undefined for one beyond ±23:59 (hours > 23 or minutes > 59). */
function offsetMinutes(offset: string): number | undefined {
  if (offset === 'Z' || offset === 'z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes);
}
