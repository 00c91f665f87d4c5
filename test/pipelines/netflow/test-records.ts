import type { FlowRecord } from '../../../pipelines/netflow/flow-record.js';

/**
 * A valid FlowRecord for tests: source 10.0.0.1, event time 2017-03-20T15:45:00Z (a 3 s window
 * start), every measurement 0, with `overrides` applied.
 * @example flow({ eventid: 'a', in_bytes: 100 })
 */
export function flow(overrides: Partial<FlowRecord> = {}): FlowRecord {
  return {
    eventid: '1', src_ip4: 167772161, dst_ip4: 167772162, src_port: 1000, dst_port: 80,
    duration: 0, in_bytes: 0, in_packets: 0, out_bytes: 0, out_packets: 0,
    eventtime: 1490024700, nproto: 'TCP',
    ...overrides,
  };
}
