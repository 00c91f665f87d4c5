/**
 * The members {@link SuricataEveEvent} types, checked as an event is read: a member written with another
 * type (`"bytes_toserver": "4056"`) is a dead letter, never text where the type promises a number (where
 * `bytes_toserver + bytes_toclient` would be `"40560"`). Internal to the package.
 */
import { isPortNumber } from './zeek-value.js';

type Check = readonly [test: (value: unknown) => boolean, what: string];

const TEXT: Check = [(v) => typeof v === 'string', 'text'];
const INTEGER: Check = [(v) => Number.isInteger(v), 'an integer'];
const COUNT: Check = [(v) => Number.isInteger(v) && (v as number) >= 0, 'a count (an integer >= 0)'];
const NUMBER: Check = [(v) => typeof v === 'number' && Number.isFinite(v), 'a number'];
const PORT: Check = [isPortNumber, 'a port (an integer in 0..65535)'];
const BOOLEAN: Check = [(v) => typeof v === 'boolean', 'true or false'];
const OBJECT: Check = [(v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'an object'];

/** The typed members of every event (see `SuricataEveEvent`). */
const EVENT: Readonly<Record<string, Check>> = {
  timestamp: TEXT, flow_id: INTEGER, src_ip: TEXT, src_port: PORT, dest_ip: TEXT, dest_port: PORT, proto: TEXT, flow: OBJECT,
};
/** The typed members of `flow` (see `SuricataEveFlow`). */
const FLOW: Readonly<Record<string, Check>> = {
  pkts_toserver: COUNT, pkts_toclient: COUNT, bytes_toserver: COUNT, bytes_toclient: COUNT,
  start: TEXT, end: TEXT, age: NUMBER, state: TEXT, reason: TEXT, alerted: BOOLEAN,
};

/**
 * Why `event` (a parsed EVE JSON object) is not a `SuricataEveEvent`: the first typed member present
 * with another type (`null` included: Suricata leaves a member out rather than write null), or undefined.
 * @example eveMemberProblem({ event_type: 'flow', flow: { bytes_toserver: '4056' } }) // 'flow.bytes_toserver is "4056", not a count (an integer >= 0)'
 */
export function eveMemberProblem(event: Readonly<Record<string, unknown>>): string | undefined {
  const problem = (members: Readonly<Record<string, unknown>>, checks: Readonly<Record<string, Check>>, prefix: string): string | undefined => {
    for (const name of Object.keys(checks)) {
      if (!Object.hasOwn(members, name)) continue;
      const [test, what] = checks[name]!;
      const value = members[name];
      if (!test(value)) return `${prefix}${name} is ${String(JSON.stringify(value)).slice(0, 60)}, not ${what}`;
    }
    return undefined;
  };
  return problem(event, EVENT, '') ?? (Object.hasOwn(event, 'flow') ? problem(event['flow'] as Record<string, unknown>, FLOW, 'flow.') : undefined);
}
