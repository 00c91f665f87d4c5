import { MEASURES, type Measure, type MeasureId } from './compare-measures.js';
import type { Spread } from './spread.js';

/**
 * "Which runner for what", computed from a comparison's measured figures: for latency, throughput,
 * CPU time and memory, which runner did better and by how much, and whether that difference is real
 * (repeated runs whose min–max ranges do not overlap) or within the spread of the runs.
 */

/** The aspects the summary answers, each from one measure. */
export const ASPECTS: readonly { readonly aspect: string; readonly measure: MeasureId }[] = [
  { aspect: 'latency (typical)', measure: 'latencyP50' },
  { aspect: 'latency (tail)', measure: 'latencyP99' },
  { aspect: 'throughput', measure: 'eventsPerSecond' },
  { aspect: 'CPU time', measure: 'cpuMs' },
  { aspect: 'memory', measure: 'peakRssMb' },
];

/** Medians closer than this share (of the larger) count as "about the same". */
export const SAME_WITHIN = 0.05;

export interface WhichRunnerRow {
  readonly aspect: string;
  /** The measure's label and unit. */
  readonly measure: string;
  /** The runner with the better median; null when there is none (missing figure, or about the same). */
  readonly better: string | null;
  /**
   * How clear the answer is: `clear` (repeated runs, ranges apart), `within-spread` (ranges overlap),
   * `one-run` (a single run each: no spread to judge by), `same` (medians within SAME_WITHIN), `missing`.
   */
  readonly confidence: 'clear' | 'within-spread' | 'one-run' | 'same' | 'missing';
  /** One sentence, e.g. "native: 2.1× lower (12 vs 25 ms; ranges apart over 5 runs)". */
  readonly text: string;
}

const fmt = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: x < 10 ? 1 : 0 });

/**
 * The summary rows for two runners' spreads (by measure).
 * @example whichRunner(['native', 'microbatch'], report.spread)[0].text // 'microbatch: 1.3× lower (492 vs 613 ms; one run each, no spread)'
 */
export function whichRunner(runners: readonly [string, string], spread: Readonly<Record<string, Readonly<Record<MeasureId, Spread | null>>>>): WhichRunnerRow[] {
  const [a, b] = runners;
  return ASPECTS.map(({ aspect, measure }) => {
    const m = MEASURES.find((x) => x.id === measure)! as Measure;
    const label = `${m.label} [${m.unit}]`;
    const sa = spread[a]?.[measure] ?? null;
    const sb = spread[b]?.[measure] ?? null;
    if (sa === null || sb === null) return { aspect, measure: label, better: null, confidence: 'missing', text: 'not measured' };
    const big = Math.max(Math.abs(sa.median), Math.abs(sb.median));
    if (big === 0 || Math.abs(sa.median - sb.median) <= SAME_WITHIN * big) {
      return { aspect, measure: label, better: null, confidence: 'same', text: `about the same (${fmt(sa.median)} vs ${fmt(sb.median)} ${m.unit})` };
    }
    const aWins = m.better === 'lower' ? sa.median < sb.median : sa.median > sb.median;
    const [win, lose] = aWins ? [sa, sb] : [sb, sa];
    const factor = m.better === 'lower' ? lose.median / win.median : win.median / lose.median;
    const apart = win.n > 1 && lose.n > 1 && (m.better === 'lower' ? win.max < lose.min : win.min > lose.max);
    const confidence = win.n === 1 || lose.n === 1 ? 'one-run' : apart ? 'clear' : 'within-spread';
    const how = { 'one-run': 'one run each, no spread', clear: `ranges apart over ${win.n} runs`, 'within-spread': `ranges overlap over ${win.n} runs: not a clear difference` }[confidence];
    const times = Number.isFinite(factor) ? `${factor.toFixed(factor < 10 ? 2 : 0)}× ${m.better}` : m.better;
    return { aspect, measure: label, better: aWins ? a : b, confidence, text: `${aWins ? a : b}: ${times} (${fmt(win.median)} vs ${fmt(lose.median)} ${m.unit}; ${how})` };
  });
}
