import { END_OF_GLOBAL_WINDOW, TIMESTAMP_MIN, type Instant } from '../../sdk/time.js';

/**
 * A count in a few characters: `950`, `12.3k`, `4.56M`, `1.2G`.
 * @example compactCount(1234567) // '1.23M'
 */
export function compactCount(n: number): string {
  const a = Math.abs(n);
  const [d, u] = a >= 1e9 ? [1e9, 'G'] : a >= 1e6 ? [1e6, 'M'] : a >= 1e3 ? [1e3, 'k'] : [1, ''];
  if (d === 1) return String(Math.round(n));
  const x = n / d;
  return `${x.toFixed(Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2)}${u}`;
}

/**
 * A duration for people: `850ms`, `3.2s`, `5m12s`, `2h03m`, `3d04h`.
 * @example shortDuration(312_000) // '5m12s'
 */
export function shortDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/**
 * A watermark: `–` before there is one, `end` once the input ended, else UTC to the second.
 * @example shortWatermark(Date.UTC(2024, 0, 2, 3, 4, 5)) // '2024-01-02 03:04:05'
 */
export function shortWatermark(t: Instant | undefined): string {
  if (t === undefined || t <= TIMESTAMP_MIN) return '–';
  if (t >= END_OF_GLOBAL_WINDOW) return 'end';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().slice(0, 19).replace('T', ' ');
}
