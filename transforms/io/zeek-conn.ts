/**
 * Zeek's conn.log record, as {@link ZeekLog} reads it.
 */
import type { ZeekValue } from './zeek-value.js';

/**
 * One connection of a Zeek conn.log, as `ZeekLog.conn` (or `ZeekLog.read<ZeekConn>`) gives it:
 * times and durations in milliseconds, counts and ports as numbers, `local_orig` / `local_resp` as
 * booleans, `tunnel_parents` as an array. Members Zeek left unset (`-`, or absent from a JSON line)
 * are absent. Other columns (a site's own, `label` in the shared samples, ...) are there too, typed
 * by the file's `#types`.
 */
export interface ZeekConn {
  /** When the connection's first packet was seen, epoch ms (micro-seconds as the fraction). The default event time. */
  readonly ts: number;
  readonly uid: string;
  readonly 'id.orig_h': string;
  readonly 'id.orig_p': number;
  readonly 'id.resp_h': string;
  readonly 'id.resp_p': number;
  readonly proto: string;
  readonly service?: string;
  /** ms */
  readonly duration?: number;
  readonly orig_bytes?: number;
  readonly resp_bytes?: number;
  readonly conn_state?: string;
  readonly local_orig?: boolean;
  readonly local_resp?: boolean;
  readonly missed_bytes?: number;
  readonly history?: string;
  readonly orig_pkts?: number;
  readonly orig_ip_bytes?: number;
  readonly resp_pkts?: number;
  readonly resp_ip_bytes?: number;
  readonly tunnel_parents?: readonly string[];
  readonly [column: string]: ZeekValue | undefined;
}

/**
 * The Zeek types of conn.log's columns, for its JSON form (which has no `#types` line): what
 * `ZeekLog.conn` passes as `jsonTypes`, so a JSON conn.log gives the same record as an ASCII one.
 */
export const ZEEK_CONN_TYPES: Readonly<Record<string, string>> = {
  ts: 'time',
  'id.orig_p': 'port',
  'id.resp_p': 'port',
  duration: 'interval',
  orig_bytes: 'count',
  resp_bytes: 'count',
  local_orig: 'bool',
  local_resp: 'bool',
  missed_bytes: 'count',
  orig_pkts: 'count',
  orig_ip_bytes: 'count',
  resp_pkts: 'count',
  resp_ip_bytes: 'count',
  tunnel_parents: 'set[string]',
};
