import { closest } from 'fastest-levenshtein';
import type { YamlValue } from './yaml-documents.js';

/**
 * One of Beam's trigger transcripts, as data: the windowing (Beam Python's names and call syntax,
 * kept as written), then a script of steps. Reading it checks the shape and refuses anything else
 * with a TranscriptFormatError; turning the names into Watershed objects is transcript-windowing.ts.
 *
 * Times are the transcript's integers, read as milliseconds (Beam's harness reads them as whole
 * units of the finest granularity; windows are shown as [start, end-inclusive], i.e. [start, end − 1]).
 *
 * @example parseTranscript({ name: 'x', window_fn: 'FixedWindows(10)', transcript: [{ input: [1] }, { watermark: 20 }, { expect: [{ window: [0, 9], values: [1] }] }] }, 0)
 */

/** What a transcript expects of one pane; a field left out matches anything ("partial match"). */
export interface ExpectedPane {
  readonly window?: readonly [number, number];
  readonly values?: readonly number[];
  readonly timestamp?: number;
  readonly early?: boolean;
  readonly late?: boolean;
  readonly final?: boolean;
  readonly index?: number;
  readonly nonspeculative_index?: number;
}

export type TranscriptStep =
  | { readonly kind: 'input'; readonly values: readonly number[] }
  | { readonly kind: 'watermark'; readonly to: number }
  /**
   * The panes the previous action produced. `dropped` is Watershed's addition, used only by allowed
   * differences: the inputs of the previous action the aggregation must drop as late (late-data output).
   */
  | { readonly kind: 'expect'; readonly panes: readonly ExpectedPane[]; readonly dropped?: readonly number[] }
  /** Which window states exist: implementation detail; Beam's own harnesses do not check it, nor does this one. */
  | { readonly kind: 'state'; readonly state: YamlValue };

export interface Transcript {
  /** Unique in the file: a repeated name gets `_1`, `_2`, ... as Beam's harness names its tests. */
  readonly name: string;
  /** The 0-based position of the document in the file. */
  readonly position: number;
  /** For a deliberately wrong transcript: the error the harness must report (a substring, e.g. 'Unmatched output'). */
  readonly error?: string;
  readonly windowFn: string;
  readonly triggerFn: string;
  /** Beam Python's timestamp combiner name (`OUTPUT_AT_EOW`, ...), from `output_time_fn` or `timestamp_combiner`. */
  readonly timestampCombiner: string;
  readonly accumulationMode: 'accumulating' | 'discarding';
  readonly allowedLateness: number;
  readonly steps: readonly TranscriptStep[];
  /**
   * Keys Beam's harness does not read, which it therefore ignores (so does this one): e.g. the
   * misspelt `windowfn` of `bad_output`, which leaves that transcript in the global window.
   */
  readonly ignoredKeys: readonly string[];
}

export class TranscriptFormatError extends Error {
  constructor(
    readonly transcript: string,
    message: string,
  ) {
    super(`transcript '${transcript}': ${message}`);
    this.name = 'TranscriptFormatError';
  }
}

const KNOWN_KEYS = ['name', 'error', 'window_fn', 'trigger_fn', 'output_time_fn', 'timestamp_combiner', 'accumulation_mode', 'allowed_lateness', 'transcript', 'broken_on'];
const PANE_FIELDS = ['window', 'values', 'timestamp', 'early', 'late', 'final', 'index', 'nonspeculative_index'];
const ACTIONS = ['input', 'watermark', 'expect', 'state'];

function isMap(v: YamlValue | undefined): v is { [key: string]: YamlValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses every document of the file, giving repeated names a suffix as Beam does.
 * @throws TranscriptFormatError for a document that is not a transcript
 */
export function parseTranscripts(docs: readonly YamlValue[]): Transcript[] {
  const seen = new Set<string>();
  return docs.map((doc, position) => {
    const t = parseTranscript(doc, position);
    let name = t.name;
    for (let n = 1; seen.has(name); n++) name = `${t.name}_${n}`;
    seen.add(name);
    return name === t.name ? t : { ...t, name };
  });
}

/** @throws TranscriptFormatError naming the transcript and what is wrong */
export function parseTranscript(doc: YamlValue, position: number): Transcript {
  if (!isMap(doc)) throw new TranscriptFormatError(`#${position}`, 'a transcript is a mapping');
  const name = typeof doc['name'] === 'string' ? doc['name'] : `unnamed-${position}`;
  const fail = (why: string): never => {
    throw new TranscriptFormatError(name, why);
  };
  const str = (key: string, dflt: string): string => {
    const v = doc[key];
    if (v === undefined || v === null) return dflt;
    return typeof v === 'string' ? v : fail(`'${key}' must be a name, got ${JSON.stringify(v)}`);
  };
  const int = (v: YamlValue | undefined, what: string): number => (typeof v === 'number' && Number.isInteger(v) ? v : fail(`${what} must be an integer, got ${JSON.stringify(v)}`));
  const ints = (v: YamlValue | undefined, what: string): number[] => (Array.isArray(v) ? v.map((x, i) => int(x, `${what}[${i}]`)) : fail(`${what} must be a list of integers`));

  const accumulation = str('accumulation_mode', 'accumulating').toLowerCase();
  if (accumulation !== 'accumulating' && accumulation !== 'discarding') fail(`unknown accumulation_mode '${accumulation}'`);
  const script = doc['transcript'];
  if (!Array.isArray(script)) fail("'transcript' must be a list of steps");
  const steps = (script as YamlValue[]).map((raw, i): TranscriptStep => {
    if (!isMap(raw) || Object.keys(raw).length !== 1) return fail(`step ${i + 1} must be one 'action: value'`);
    const [action, v] = Object.entries(raw)[0]!;
    switch (action) {
      case 'input':
        return { kind: 'input', values: ints(v, `step ${i + 1} input`) };
      case 'watermark':
        return { kind: 'watermark', to: int(v, `step ${i + 1} watermark`) };
      case 'state':
        return { kind: 'state', state: v };
      case 'expect': {
        if (!Array.isArray(v)) return fail(`step ${i + 1} expect must be a list of panes`);
        return { kind: 'expect', panes: v.map((p, j) => pane(p, `step ${i + 1} expect[${j}]`, fail, int, ints)) };
      }
      default:
        return fail(`step ${i + 1}: unknown action '${action}' (did you mean '${closest(action, ACTIONS)}'?)`);
    }
  });
  const lateness = doc['allowed_lateness'];
  return {
    name,
    position,
    ...(doc['error'] !== undefined ? { error: str('error', '') } : {}),
    windowFn: str('window_fn', 'GlobalWindows'),
    triggerFn: str('trigger_fn', 'Default'),
    timestampCombiner: str('timestamp_combiner', str('output_time_fn', 'OUTPUT_AT_EOW')).toUpperCase(),
    accumulationMode: accumulation as 'accumulating' | 'discarding',
    allowedLateness: lateness === undefined || lateness === null ? 0 : int(lateness, 'allowed_lateness'),
    steps,
    ignoredKeys: Object.keys(doc).filter((k) => !KNOWN_KEYS.includes(k)),
  };
}

function pane(
  raw: YamlValue,
  where: string,
  fail: (why: string) => never,
  int: (v: YamlValue | undefined, what: string) => number,
  ints: (v: YamlValue | undefined, what: string) => number[],
): ExpectedPane {
  if (!isMap(raw)) return fail(`${where} must be a mapping`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!PANE_FIELDS.includes(k)) fail(`${where}: unknown field '${k}' (did you mean '${closest(k, PANE_FIELDS)}'?)`);
    if (k === 'window') {
      const w = ints(v, `${where}.window`);
      if (w.length !== 2) fail(`${where}.window must be [start, end-inclusive]`);
      out[k] = [w[0]!, w[1]!];
    } else if (k === 'values') out[k] = ints(v, `${where}.values`);
    else if (k === 'early' || k === 'late' || k === 'final') {
      if (typeof v !== 'boolean') fail(`${where}.${k} must be true or false`);
      out[k] = v;
    } else out[k] = int(v, `${where}.${k}`);
  }
  return out as ExpectedPane;
}
