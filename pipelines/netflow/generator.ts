import { zipfSampler } from './key-skew.js';
import { mulberry32, uniformInt, type Random } from './prng.js';

/** Settings of {@link generateNetflow}. */
export interface NetflowGeneratorOptions {
  /** PRNG seed (low 32 bits used). Same options → same output, byte for byte. */
  readonly seed: number;
  /** Number of events. */
  readonly count: number;
  /** Event-time rate: event `k` is nominally at `startTimeMs + floor(k * 1000 / eventsPerSecond)`. */
  readonly eventsPerSecond: number;
  /** Event time of the first event, epoch ms. */
  readonly startTimeMs: number;
  /** Number of distinct source IPv4 addresses (the job's keys): `10.0.0.1`, `10.0.0.2`, ... */
  readonly sourceIps: number;
  /** Zipf exponent of source-IP popularity; 0 = uniform. */
  readonly keySkew: number;
  /**
   * Out-of-orderness: each event's time is its nominal time plus a uniform jitter in
   * `[0, maxJitterMs]` while arrival order stays nominal, so an event can arrive up to
   * `maxJitterMs` behind the latest event time already seen.
   */
  readonly maxJitterMs: number;
  /** Share of IPv6 events (carrying `src_ip6` / `dst_ip6` instead of `src_ip4` / `dst_ip4`). */
  readonly ipv6Share: number;
  /** Share of malformed events, a third each truncated JSON, a non-numeric `in_bytes`, a negative `out_packets`. */
  readonly malformedShare: number;
}

/** What a generated event is, i.e. what `parseFlow` should make of it. */
export type GeneratedKind = 'valid' | 'ipv6' | 'truncated-json' | 'non-numeric-field' | 'negative-count';

/** One generated event, in arrival order. */
export interface GeneratedEvent {
  /** The Netflow JSON text. */
  readonly raw: string;
  /** Position in arrival order, from 0. */
  readonly arrivalIndex: number;
  /** The event time written into the event, epoch ms. */
  readonly eventTimeMs: number;
  readonly kind: GeneratedKind;
}

/** Defaults: 1,000 valid events at 1,000/s from 2017-03-20T15:45:00Z over 10 uniform source IPs, in order. */
export const DEFAULT_GENERATOR_OPTIONS: NetflowGeneratorOptions = {
  seed: 1,
  count: 1000,
  eventsPerSecond: 1000,
  startTimeMs: Date.UTC(2017, 2, 20, 15, 45, 0),
  sourceIps: 10,
  keySkew: 0,
  maxJitterMs: 0,
  ipv6Share: 0,
  malformedShare: 0,
};

const TEN_0_0_0 = 0x0a00_0000;
const DESTINATIONS_192_168 = 0xc0a8_0000;
const SERVICE_PORTS = [80, 443, 53, 22, 25, 123, 8080, 3389] as const;
const STATES = ['new', 'established', 'closed'] as const;

/**
 * Generates synthetic Netflow events in the original job's JSON shape (eventid, dvc_version,
 * aproto, src_ip4, dst_ip4, eventtime, out_packets, type, dvc_time, dst_ip, src_ip, duration,
 * in_bytes, conn_state, @version, out_bytes, dvc_type, in_packets, nproto, src_port, @timestamp,
 * dst_port, category), lazily, in arrival order. Event ids are 18-digit integers (above 2^53,
 * unique per run). Traffic: 70 % TCP, 25 % UDP, 5 % ICMP; durations exponential (mean 2 s);
 * packets geometric-like; 1 % heavy flows with 100× the bytes and packets (the long tail).
 * Every event consumes the same number of PRNG draws, so changing a share changes only kinds.
 * @throws RangeError for out-of-range options (negative or non-integer count, rate <= 0, shares
 *   outside [0, 1] or summing above 1, ...), on the first `next()`.
 * @example [...generateNetflow({ seed: 7, count: 3 })].map((e) => e.raw) // three JSON strings
 */
export function* generateNetflow(options: Partial<NetflowGeneratorOptions> = {}): Generator<GeneratedEvent> {
  const o: NetflowGeneratorOptions = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  validate(o);
  const random = mulberry32(o.seed);
  const keyOf = zipfSampler(o.sourceIps, o.keySkew);
  for (let k = 0; k < o.count; k++) {
    const draws = drawAll(random);
    const nominal = o.startTimeMs + Math.floor((k * 1000) / o.eventsPerSecond);
    const eventTimeMs = nominal + Math.floor(draws.jitter * (o.maxJitterMs + 1));
    const kind: GeneratedKind =
      draws.kind < o.ipv6Share
        ? 'ipv6'
        : draws.kind < o.ipv6Share + o.malformedShare
          ? (['truncated-json', 'non-numeric-field', 'negative-count'] as const)[Math.floor(draws.variant * 3)]
          : 'valid';
    const raw = eventJson(k, eventTimeMs, TEN_0_0_0 + 1 + keyOf(draws.key), kind, draws);
    yield { raw, arrivalIndex: k, eventTimeMs, kind };
  }
}

function validate(o: NetflowGeneratorOptions): void {
  const problem = generatorOptionsProblem(o);
  if (problem !== undefined) throw new RangeError(`generator option ${problem.message}`);
}

/**
 * The first option of `o` out of its range, with a message naming it (e.g. `count must be a
 * non-negative integer, got -5`), or undefined when every option is usable; `options` lists the
 * options the message is about (two for shares summing above 1), and `detail` is the message
 * without their names (for a command line, which names its flags instead: `--count=-5: must be ...`).
 * @example generatorOptionsProblem({ ...DEFAULT_GENERATOR_OPTIONS, count: -5 }) // { options: ['count'], message: 'count must be ...', detail: 'must be ...' }
 */
export function generatorOptionsProblem(o: NetflowGeneratorOptions): { readonly options: readonly (keyof NetflowGeneratorOptions)[]; readonly message: string; readonly detail: string } | undefined {
  const fail = (option: keyof NetflowGeneratorOptions, what: string) => ({ options: [option], message: `${option} ${what}`, detail: what });
  // past 2^53 - 1 a count cannot be counted to (n + 1 === n): the generator would never end
  if (!(Number.isSafeInteger(o.count) && o.count >= 0)) return fail('count', `must be a non-negative integer, got ${o.count} (at most 2^53 - 1)`);
  if (!(Number.isFinite(o.eventsPerSecond) && o.eventsPerSecond > 0)) return fail('eventsPerSecond', `must be > 0, got ${o.eventsPerSecond}`);
  if (!Number.isInteger(o.startTimeMs)) return fail('startTimeMs', `must be an integer, got ${o.startTimeMs}`);
  if (!(Number.isInteger(o.sourceIps) && o.sourceIps >= 1 && o.sourceIps < 0xff_ffff)) return fail('sourceIps', `must be in 1..16777214, got ${o.sourceIps}`);
  if (!(Number.isFinite(o.keySkew) && o.keySkew >= 0)) return fail('keySkew', `must be >= 0, got ${o.keySkew}`);
  if (!(Number.isInteger(o.maxJitterMs) && o.maxJitterMs >= 0)) return fail('maxJitterMs', `must be a non-negative integer, got ${o.maxJitterMs}`);
  for (const share of ['ipv6Share', 'malformedShare'] as const) {
    if (!(o[share] >= 0 && o[share] <= 1)) return fail(share, `must be in [0, 1], got ${o[share]}`);
  }
  if (o.ipv6Share + o.malformedShare > 1) return { options: ['ipv6Share', 'malformedShare'], message: 'ipv6Share + malformedShare must be <= 1', detail: 'must add up to at most 1' };
  // Each event carries its time as a date: the last one (nominal time plus the most jitter) must be one.
  const last = o.startTimeMs + Math.floor((Math.max(0, o.count - 1) * 1000) / o.eventsPerSecond) + o.maxJitterMs;
  if (!(last <= MAX_DATE_MS)) {
    const past = `the last event at ${last} ms, past the last date (${MAX_DATE_MS} ms, +275760-09-13)`;
    return {
      options: ['count', 'eventsPerSecond', 'maxJitterMs'],
      message: `count ${o.count} at eventsPerSecond ${o.eventsPerSecond} (+ maxJitterMs ${o.maxJitterMs}) puts ${past}`,
      detail: `${o.count} events at ${o.eventsPerSecond} per second (+ up to ${o.maxJitterMs} ms of disorder) put ${past}`,
    };
  }
  return undefined;
}

/** The latest instant a JavaScript Date can hold (ms since the epoch). */
const MAX_DATE_MS = 8.64e15;

type Draws = ReturnType<typeof drawAll>;

/** A fixed set of draws per event, in a fixed order. */
function drawAll(random: Random) {
  return {
    kind: random(), variant: random(), cut: random(), key: random(), jitter: random(),
    idHigh: random(), dst: random(), dstPort: random(), srcPort: random(), proto: random(),
    duration: random(), inPackets: random(), outPackets: random(), inSize: random(), outSize: random(),
    heavy: random(), state: random(), negative: random(),
  };
}

function eventJson(k: number, eventTimeMs: number, srcIp4: number, kind: GeneratedKind, d: Draws): string {
  const proto = d.proto < 0.7 ? 'TCP' : d.proto < 0.95 ? 'UDP' : 'ICMP';
  const dstPort = proto === 'ICMP' ? 0 : d.dstPort < 0.8 ? SERVICE_PORTS[Math.floor(d.dstPort / 0.1)] : uniformInt((d.dstPort - 0.8) / 0.2, 1024, 65535);
  const srcPort = proto === 'ICMP' ? 8 : uniformInt(d.srcPort, 1024, 65535);
  const heavy = d.heavy < 0.01 ? 100 : 1;
  const inPackets = (1 + Math.floor(-Math.log(1 - d.inPackets) * 8)) * heavy;
  const outPackets = Math.floor(-Math.log(1 - d.outPackets) * 10) * heavy;
  const inBytes = inPackets * uniformInt(d.inSize, 40, 1500);
  const outBytes = outPackets * uniformInt(d.outSize, 40, 1500);
  const seconds = Math.floor(eventTimeMs / 1000);
  const eventtime = `${seconds}.${String(eventTimeMs - seconds * 1000).padStart(3, '0')}`;
  const dstIp4 = DESTINATIONS_192_168 + uniformInt(d.dst, 1, 4094);
  const addresses =
    kind === 'ipv6'
      ? { src_ip6: `2001:db8::${(srcIp4 & 0xffff).toString(16)}`, dst_ip6: `2001:db8:1::${(dstIp4 & 0xffff).toString(16)}` }
      : { src_ip4: srcIp4, dst_ip4: dstIp4 };
  const rest = {
    dvc_version: '3.2',
    aproto: dstPort === 80 ? 'http' : dstPort === 53 ? 'dns' : dstPort === 443 ? 'tls' : 'failed',
    ...addresses,
    eventtime: '@EVENTTIME@',
    out_packets: kind === 'negative-count' ? -uniformInt(d.negative, 1, 5) : outPackets,
    type: 'flow',
    dvc_time: seconds + 31,
    dst_ip: '',
    src_ip: '',
    duration: Math.round(-Math.log(1 - d.duration) * 2000) / 1000,
    in_bytes: kind === 'non-numeric-field' ? 'n/a' : inBytes,
    conn_state: STATES[Math.floor(d.state * STATES.length)],
    '@version': '1',
    out_bytes: outBytes,
    dvc_type: 'suricata',
    in_packets: inPackets,
    nproto: proto,
    src_port: srcPort,
    '@timestamp': new Date(eventTimeMs).toISOString(),
    dst_port: dstPort,
    category: 'informational',
  };
  const eventid = `${uniformInt(d.idHigh, 100_000_000, 999_999_999)}${String(k).padStart(9, '0')}`;
  const json = `{"eventid":${eventid},${JSON.stringify(rest).slice(1)}`.replace('"@EVENTTIME@"', eventtime);
  return kind === 'truncated-json' ? json.slice(0, 1 + Math.floor(d.cut * (json.length - 1))) : json;
}
