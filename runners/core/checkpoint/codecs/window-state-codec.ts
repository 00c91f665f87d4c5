import { isDeepStrictEqual } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { decodeKey, type StateKey } from '../../../../sdk/kv.js';
import type { BoundedWindow } from '../../../../sdk/window.js';
import type { WindowState } from '../../driver/window-driver.js';
import { ByteReader, ByteWriter } from './byte-stream.js';
import { plainDataEqual, plainDataKey } from './plain-data.js';
import { isStateKey, StateCodecError, type StateCodec, type StateEntry } from './state-codec.js';

const NAME = 'window-state/v1';

// Per-entry flags (one byte).
const ON_TIME = 1;
const CLOSED = 2;
const ACC_NUMBER = 4;
const LAST_UNDEFINED = 8; // an own `last` field holding undefined (the driver sets it so when a window closes)
const RETRACT_UNDEFINED = 16;

// Key tags (one byte).
const KEY_NUMBER = 0;
const KEY_STRING = 1;
const KEY_TRUE = 2;
const KEY_FALSE = 3;
const KEY_NULL = 4;

// outTs and hold codes; the times code is outTs code + 3 × hold code.
const TIME_UNSET = 0;
const TIME_MAX_TS = 1; // equals the window's maxTimestamp
const TIME_VALUE = 2; // stored in the float64 stream

/** The fields of a WindowState without `last` and `retract` (`et0` among them: not written, made again from `et`). */
const BASE_FIELDS = 14;

interface Meta {
  /** Distinct windows, by id. */
  windows: BoundedWindow[];
  /** Distinct event-timer lists, as offsets from their window's maxTimestamp. */
  shapes: number[][];
  /**
   * Distinct trigger states: equal plain-data states once, anything else by identity. Trigger states
   * are immutable (every transition returns a new one), so equal states may share one object.
   */
  trigs: unknown[];
  /** Accumulators that are not numbers, in entry order. */
  accs: unknown[];
  /** Entries the columns cannot hold, with their index in the entry list. */
  side: [index: number, key: StateKey, ns: string, state: unknown][];
}

/**
 * `window-state/v1`: the columnar codec for `<step>#windows` tables (the WindowDriver's state per key
 * and window), which hold one entry per live (key, window) and so dominate checkpoint size.
 *
 * Per entry: a flags byte (onTime, closed, number accumulator, `last`/`retract` fields holding
 * undefined), a key tag byte, varints (indices into the window, trigger-state and timer-list
 * dictionaries, `n`, `pane`, `nonSpec`, how `outTs`/`hold` are stored, string key length), float64s
 * (number key, number accumulator, `outTs`/`hold` unless unset or the window's maxTimestamp) and the
 * UTF-8 of a string key. Windows are stored once per id (two windows with the same id are the same
 * window), timer lists once as offsets from their window's maxTimestamp, trigger states once per
 * equal value (they are immutable). One `v8.serialize` holds the dictionaries, the accumulators that
 * are not numbers, and every entry the columns cannot hold exactly (processing-time timers, `last`
 * or `retract` values, a user key that differs from the decoded state key, a string key with a lone
 * surrogate (not UTF-8), a count that is not a
 * 32-bit unsigned integer, fields outside WindowState, ...). So nothing is lost: decoding gives
 * entries that are `util.isDeepStrictEqual` to the input, in the same order. About 25 bytes per
 * number-keyed entry with a number accumulator (30 with a dotted-quad string key).
 *
 * @example windowStateCodec.decode(windowStateCodec.encode([...table.entries()]))
 */
export const windowStateCodec: StateCodec<WindowState> = {
  name: NAME,
  encode: (entries) => encodeWindowStates(entries),
  decode: (bytes) => decodeWindowStates(bytes),
};

function isU32(x: unknown): x is number {
  return typeof x === 'number' && x >>> 0 === x && (x !== 0 || 1 / x > 0);
}

function timeCode(t: unknown, maxTs: number): number {
  if (t === undefined) return TIME_UNSET;
  if (typeof t !== 'number') return -1;
  return Object.is(t, maxTs) ? TIME_MAX_TS : TIME_VALUE;
}

/** True when `st.k` is what decoding `ks` gives back. */
function keyDerivable(ks: StateKey, k: unknown): boolean {
  if (typeof ks === 'string' && ks.charCodeAt(0) === 0) {
    const decoded = decodeKey(ks);
    return typeof decoded === 'object' && decoded !== null ? isDeepStrictEqual(decoded, k) : Object.is(decoded, k);
  }
  return Object.is(ks, k);
}

/**
 * When the columns hold `st` exactly: its times code (outTs code + 3 × hold code), with its event
 * timers as offsets from maxTimestamp in `delta`. Otherwise -1 (the entry goes to the side list).
 */
function columnTimes(ks: StateKey, ns: string, st: WindowState, delta: number[]): number {
  if (typeof st !== 'object' || st === null) return -1;
  const w = st.w;
  if (typeof w !== 'object' || w === null || w.id !== ns || typeof w.maxTimestamp !== 'number') return -1;
  const maxTs = w.maxTimestamp;
  const hasLast = 'last' in st;
  const hasRetract = 'retract' in st;
  if ((hasLast && st.last !== undefined) || (hasRetract && st.retract !== undefined)) return -1;
  let fields = 0;
  for (const _ in st) fields++;
  if (fields !== BASE_FIELDS + (hasLast ? 1 : 0) + (hasRetract ? 1 : 0)) return -1;
  if (!isU32(st.n) || !isU32(st.pane) || !isU32(st.nonSpec) || typeof st.onTime !== 'boolean' || typeof st.closed !== 'boolean') return -1;
  const outCode = timeCode(st.outTs, maxTs);
  const holdCode = timeCode(st.hold, maxTs);
  if (outCode < 0 || holdCode < 0 || !Array.isArray(st.pt) || st.pt.length !== 0 || !Array.isArray(st.et)) return -1;
  const et = st.et;
  delta.length = 0;
  let et0: number | undefined;
  for (let j = 0; j < et.length; j++) {
    const t = et[j];
    const d = typeof t === 'number' ? t - maxTs : NaN;
    if (!Object.is(maxTs + d, t)) return -1;
    delta.push(d);
    if (et0 === undefined || t! < et0) et0 = t;
  }
  // `et0` is not written: decoding makes it from `et`, so it must be what that gives.
  if (!Object.is(st.et0, et0)) return -1;
  if (!keyDerivable(ks, st.k)) return -1;
  // The strings column is UTF-8, which has no lone surrogates ('\ud800' would come back as '\ufffd',
  // one key with every other such key): such a key goes to the side list, which v8 keeps exactly.
  if (typeof ks === 'string' && !ks.isWellFormed()) return -1;
  return outCode + 3 * holdCode;
}

function encodeWindowStates(entries: readonly StateEntry<WindowState>[]): Buffer {
  const n = entries.length;
  const meta: Meta = { windows: [], shapes: [], trigs: [], accs: [], side: [] };
  const windowIndex = new Map<string, number>();
  const shapeIndex = new Map<string, number>();
  const trigByIdentity = new Map<unknown, number>();
  const trigByKey = new Map<string, number>();
  let lastPlainTrig = -1;
  const flags = new ByteWriter(n);
  const tags = new ByteWriter(n);
  const ints = new ByteWriter(n * 8);
  const floats = new ByteWriter(n * 16);
  const strings = new ByteWriter(1024);
  let lastW: BoundedWindow | undefined;
  let lastWi = 0;
  const delta: number[] = [];

  for (let i = 0; i < n; i++) {
    const [ks, ns, st] = entries[i]!;
    const times = columnTimes(ks, ns, st, delta);
    if (times < 0) {
      meta.side.push([i, ks, ns, st]);
      continue;
    }
    const w = st.w;
    const outCode = times % 3;
    const holdCode = (times - outCode) / 3;

    // Dictionaries.
    if (w !== lastW) {
      let wi = windowIndex.get(ns);
      if (wi === undefined) {
        wi = meta.windows.length;
        meta.windows.push(w);
        windowIndex.set(ns, wi);
      }
      lastW = w;
      lastWi = wi;
    }
    const shapeKey = delta.length === 1 ? String(delta[0]) : delta.join(',');
    let si = shapeIndex.get(shapeKey);
    if (si === undefined) {
      si = meta.shapes.length;
      meta.shapes.push(delta.slice());
      shapeIndex.set(shapeKey, si);
    }
    // Trigger states: the same object, else equal to the last plain one (the usual case: a fresh
    // `init()` per window), else by key.
    let ti = trigByIdentity.get(st.trig);
    if (ti === undefined) {
      if (lastPlainTrig >= 0 && plainDataEqual(st.trig, meta.trigs[lastPlainTrig])) ti = lastPlainTrig;
      else {
        const key = plainDataKey(st.trig);
        ti = key === undefined ? undefined : trigByKey.get(key);
        if (ti === undefined) {
          ti = meta.trigs.length;
          meta.trigs.push(st.trig);
          trigByIdentity.set(st.trig, ti);
          if (key !== undefined) trigByKey.set(key, ti);
        }
        if (key !== undefined) lastPlainTrig = ti;
      }
    }

    // Key.
    switch (typeof ks) {
      case 'number':
        tags.u8(KEY_NUMBER);
        floats.f64(ks);
        break;
      case 'string':
        tags.u8(KEY_STRING);
        break;
      case 'boolean':
        tags.u8(ks ? KEY_TRUE : KEY_FALSE);
        break;
      default:
        tags.u8(KEY_NULL);
    }

    const accNumber = typeof st.acc === 'number';
    if (accNumber) floats.f64(st.acc as number);
    else meta.accs.push(st.acc);
    if (outCode === TIME_VALUE) floats.f64(st.outTs!);
    if (holdCode === TIME_VALUE) floats.f64(st.hold!);

    flags.u8(
      (st.onTime ? ON_TIME : 0) |
        (st.closed ? CLOSED : 0) |
        (accNumber ? ACC_NUMBER : 0) |
        ('last' in st ? LAST_UNDEFINED : 0) |
        ('retract' in st ? RETRACT_UNDEFINED : 0),
    );
    ints.varint(lastWi);
    ints.varint(ti);
    ints.varint(si);
    ints.varint(st.n);
    ints.varint(st.pane);
    ints.varint(st.nonSpec);
    ints.varint(times);
    if (typeof ks === 'string') ints.varint(strings.utf8(ks));
  }

  const metaBytes = serialize(meta);
  const out = new ByteWriter(4 * 7 + metaBytes.length + flags.length + tags.length + ints.length + floats.length + strings.length);
  out.u32(n);
  for (const part of [metaBytes, flags.finish(), tags.finish(), ints.finish(), floats.finish(), strings.finish()]) {
    out.u32(part.length);
    out.bytes(part);
  }
  return out.finish();
}

function decodeWindowStates(bytes: Uint8Array): StateEntry<WindowState>[] {
  const head = new ByteReader(bytes, NAME, 'segment');
  const n = head.u32();
  const section = (what: string) => new ByteReader(head.bytes(head.u32()), NAME, what);
  const metaBytes = head.bytes(head.u32());
  const flags = section('flags');
  const tags = section('key tags');
  const ints = section('integers');
  const floats = section('floats');
  const strings = section('strings');
  head.end();

  let meta: Meta;
  try {
    meta = deserialize(metaBytes) as Meta;
  } catch (e) {
    throw new StateCodecError(NAME, `dictionaries: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (
    typeof meta !== 'object' ||
    meta === null ||
    ![meta.windows, meta.shapes, meta.trigs, meta.accs, meta.side].every(Array.isArray) ||
    meta.side.length > n ||
    !meta.windows.every((w) => typeof w === 'object' && w !== null && typeof w.id === 'string' && typeof w.maxTimestamp === 'number') ||
    !meta.shapes.every((sh) => Array.isArray(sh) && sh.every((d) => typeof d === 'number')) ||
    !meta.side.every((e) => Array.isArray(e) && e.length === 4 && isU32(e[0]))
  ) {
    throw new StateCodecError(NAME, 'dictionaries are malformed');
  }
  const { windows, shapes, trigs, accs, side } = meta;
  const pick = <T>(list: T[], i: number, what: string): T => {
    if (i >= list.length) throw new StateCodecError(NAME, `${what} index ${i} out of range (${list.length})`);
    return list[i]!;
  };

  const out: StateEntry<WindowState>[] = new Array(n);
  let sp = 0;
  let ai = 0;
  for (let i = 0; i < n; i++) {
    const s = side[sp];
    if (s !== undefined && s[0] === i) {
      if (!isStateKey(s[1]) || typeof s[2] !== 'string') throw new StateCodecError(NAME, `side entry ${i} is malformed`);
      out[i] = [s[1], s[2], s[3] as WindowState];
      sp++;
      continue;
    }
    const f = flags.u8();
    const tag = tags.u8();
    const w = pick(windows, ints.varint(), 'window');
    const trig = pick(trigs, ints.varint(), 'trigger state');
    const shape = pick(shapes, ints.varint(), 'timer list');
    const count = ints.varint();
    const pane = ints.varint();
    const nonSpec = ints.varint();
    const times = ints.varint();
    let ks: StateKey;
    switch (tag) {
      case KEY_NUMBER:
        ks = floats.f64();
        break;
      case KEY_STRING:
        ks = strings.utf8(ints.varint());
        break;
      case KEY_TRUE:
        ks = true;
        break;
      case KEY_FALSE:
        ks = false;
        break;
      case KEY_NULL:
        ks = null;
        break;
      default:
        throw new StateCodecError(NAME, `unknown key tag ${tag} in entry ${i}`);
    }
    const maxTs = w.maxTimestamp;
    const acc = f & ACC_NUMBER ? floats.f64() : pick(accs, ai++, 'accumulator');
    const outCode = times % 3;
    const holdCode = (times - outCode) / 3;
    if (holdCode > TIME_VALUE) throw new StateCodecError(NAME, `unknown times code ${times} in entry ${i}`);
    const outTs = outCode === TIME_UNSET ? undefined : outCode === TIME_MAX_TS ? maxTs : floats.f64();
    const hold = holdCode === TIME_UNSET ? undefined : holdCode === TIME_MAX_TS ? maxTs : floats.f64();
    const et: number[] = new Array(shape.length);
    let et0: number | undefined;
    for (let j = 0; j < shape.length; j++) {
      const t = maxTs + shape[j]!;
      et[j] = t;
      if (et0 === undefined || t < et0) et0 = t;
    }
    const st: WindowState = {
      w,
      k: typeof ks === 'string' && ks.charCodeAt(0) === 0 ? decodeKey(ks) : ks,
      acc,
      n: count,
      trig: trig as WindowState['trig'],
      pane,
      nonSpec,
      onTime: (f & ON_TIME) !== 0,
      closed: (f & CLOSED) !== 0,
      outTs,
      hold,
      et,
      pt: [],
      et0,
    };
    if (f & LAST_UNDEFINED) st.last = undefined;
    if (f & RETRACT_UNDEFINED) st.retract = undefined;
    out[i] = [ks, w.id, st];
  }
  if (sp !== side.length) throw new StateCodecError(NAME, 'side entries out of order or beyond the entry count');
  if (ai !== accs.length) throw new StateCodecError(NAME, `${accs.length - ai} accumulators left over`);
  flags.end();
  tags.end();
  ints.end();
  floats.end();
  strings.end();
  return out;
}
