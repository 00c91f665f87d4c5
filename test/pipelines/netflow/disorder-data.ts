import { ZeekConnParser } from '../../../pipelines/netflow/readers/zeek-conn.js';

/**
 * A stream of Netflow events in arrival order with known disorder, for late-data tests, as a Zeek
 * conn.log (tab-separated, with headers) and as the equivalent NDJSON lines (what the Zeek reader
 * makes of each line, a blank line for each header, so line numbers match).
 *
 * 1,500 events at 20 per second (75 s of event time from 2017-03-20T15:45:00Z) over 4 source IPs.
 * Every 7th is 0.4 s behind its arrival time (disorder within a 1 s bound: never late). From arrival
 * 750 on, every 100th (750, 850, ..., 1450) is a straggler 30 s behind: with a watermark 1 s behind
 * the largest event time, it is late on every runner as long as the watermark lags the input by less
 * than about 25 s (e.g. polls of 50 lines, micro-batches of 200 rows).
 */
export interface DisorderData {
  readonly zeek: string;
  readonly ndjson: string;
  /** uids (eventids) of the stragglers, in arrival order. */
  readonly stragglers: readonly string[];
  /** 1-based line numbers of the stragglers in either file. */
  readonly stragglerLines: readonly number[];
  /** Number of events (all valid). */
  readonly events: number;
  /** Number of header lines at the top of the Zeek file (blank lines in the NDJSON file). */
  readonly headerLines: number;
}

export const DISORDER_BASE_S = 1490024700;
export const DISORDER_EVENTS = 1500;

const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'duration', 'orig_bytes', 'resp_bytes', 'orig_pkts', 'resp_pkts'];

/** The uid of arrival `k`. */
export const uidOf = (k: number): string => `C${String(k).padStart(5, '0')}`;

/** True for the stragglers' arrival indexes. */
export const isStraggler = (k: number): boolean => k >= 750 && k % 100 === 50;

/** Event time (s) of arrival `k`. */
export function eventSecondsOf(k: number): number {
  const nominal = DISORDER_BASE_S + k / 20;
  if (isStraggler(k)) return nominal - 30;
  if (k % 7 === 3) return nominal - 0.4;
  return nominal;
}

/** The Zeek data line of arrival `k`. */
export function zeekLineOf(k: number): string {
  const ts = eventSecondsOf(k).toFixed(6);
  return [ts, uidOf(k), `10.0.0.${1 + (k % 4)}`, String(40000 + k), '10.0.1.1', '443', 'tcp', (0.001 * (k % 13)).toFixed(6), String(100 + k), String(50 + (k % 17)), String(1 + (k % 5)), String(1 + (k % 3))].join('\t');
}

export function disorderData(): DisorderData {
  const header = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', `#fields\t${FIELDS.join('\t')}`, `#types\t${FIELDS.map(() => 'string').join('\t')}`];
  const zeekLines = [...header];
  for (let k = 0; k < DISORDER_EVENTS; k++) zeekLines.push(zeekLineOf(k));
  const parser = new ZeekConnParser();
  const ndjsonLines = zeekLines.map((line) => {
    const r = parser.read(line);
    if (r.kind === 'flow') return JSON.stringify(r.raw);
    if (r.kind === 'skipped') return '';
    throw new Error(`test data: ${r.reason} ${r.detail}`);
  });
  const stragglerIdx = [...Array(DISORDER_EVENTS).keys()].filter(isStraggler);
  return {
    zeek: zeekLines.join('\n') + '\n',
    ndjson: ndjsonLines.join('\n') + '\n',
    stragglers: stragglerIdx.map(uidOf),
    stragglerLines: stragglerIdx.map((k) => header.length + k + 1),
    events: DISORDER_EVENTS,
    headerLines: header.length,
  };
}
