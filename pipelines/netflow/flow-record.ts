/**
 * One parsed Netflow event: a connection seen on the monitored network, IPv4 only.
 *
 * Field names follow the Netflow JSON events of the original job (snake_case, `in_*` = traffic
 * from the source to the destination, `out_*` = the reverse). Produced by `parseFlow`, which
 * validates every field; code that builds records by hand must keep the same invariants.
 *
 * @example
 * const r: FlowRecord = {
 *   eventid: '995491697672682', src_ip4: 168099844, dst_ip4: 4294967295, src_port: 42126,
 *   dst_port: 40237, duration: 0, in_bytes: 0, in_packets: 0, out_bytes: 157, out_packets: 1,
 *   eventtime: 1490024708, nproto: 'UDP',
 * };
 */
export interface FlowRecord {
  /** The event id as decimal text (or any other id text): ids can exceed 2^53, so never a number. */
  readonly eventid: string;
  /** Source IPv4 address as an unsigned 32-bit integer; the job's grouping key. */
  readonly src_ip4: number;
  /** Destination IPv4 address as an unsigned 32-bit integer. */
  readonly dst_ip4: number;
  /** Source port, an integer 0..65535 (ICMP sources put the ICMP type here). */
  readonly src_port: number;
  /** Destination port, an integer 0..65535 (ICMP sources put the ICMP code here). */
  readonly dst_port: number;
  /** Connection duration in seconds, >= 0. */
  readonly duration: number;
  /** Bytes sent from source to destination, >= 0 (an integer from real sensors). */
  readonly in_bytes: number;
  /** Packets sent from source to destination, >= 0. */
  readonly in_packets: number;
  /** Bytes sent from destination back to source, >= 0. */
  readonly out_bytes: number;
  /** Packets sent from destination back to source, >= 0. */
  readonly out_packets: number;
  /** Event time in seconds since the Unix epoch; may be fractional (micro-second sources). */
  readonly eventtime: number;
  /** Network protocol name, e.g. `'TCP'`, `'UDP'`, `'ICMP'`. */
  readonly nproto: string;
  /** Source address as a dotted quad (filled in by `parseFlow`). */
  readonly src_ip?: string;
  /** Destination address as a dotted quad (filled in by `parseFlow`). */
  readonly dst_ip?: string;
  /** The device or sensor that produced the event, e.g. `'suricata'`, `'zeek'`. */
  readonly dvc_type?: string;
  /**
   * Measurements the source left unset and that were filled with 0 (e.g. Zeek writes `-` for the
   * duration and byte counts of single-packet connections). Absent when everything was measured.
   */
  readonly unset?: readonly UnsettableField[];
}

/** The measurement fields that a source may leave unset (and a reader may fill with 0). */
export const UNSETTABLE_FIELDS = ['duration', 'in_bytes', 'in_packets', 'out_bytes', 'out_packets'] as const;
export type UnsettableField = (typeof UNSETTABLE_FIELDS)[number];

/**
 * The record's event time in whole milliseconds since the epoch (floored), the unit that windows
 * and the job's `ts_flow1` / `ts_flow2` outputs use. Rounds to micro-seconds first, so binary
 * fractions such as `1.001 * 1000 = 1000.9999…` still give `1001`.
 * @example eventTimeMillis({ ...r, eventtime: 1490024708.5 }) // 1490024708500
 */
export function eventTimeMillis(record: Pick<FlowRecord, 'eventtime'>): number {
  return Math.floor(Math.round(record.eventtime * 1e6) / 1000);
}
