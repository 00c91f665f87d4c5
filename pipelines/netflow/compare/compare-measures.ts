import type { RunnerFigures } from './compare-report.js';

/**
 * The measured (timed) figures of a comparison: each has one unit, the chart it belongs to (one unit
 * per chart), and which direction is better. Counts (events, pairs, groups) are not measures: they
 * must be equal on every run.
 */
export type MeasureId = 'computationMs' | 'wallMs' | 'cpuMs' | 'eventsPerSecond' | 'pairsPerSecond' | 'latencyP50' | 'latencyP95' | 'latencyP99' | 'peakRssMb';

export interface Measure {
  readonly id: MeasureId;
  readonly label: string;
  /** The label on a chart's axis. */
  readonly short: string;
  readonly unit: 'ms' | 'MB' | 'events/s' | 'pairs/s';
  /** Which chart shows it: time in seconds, latency in ms, memory in MB; throughput is only in the table. */
  readonly chart: 'time' | 'latency' | 'memory' | null;
  readonly better: 'lower' | 'higher';
  readonly of: (f: RunnerFigures) => number | null;
}

export const MEASURES: readonly Measure[] = [
  { id: 'computationMs', short: 'computation', label: 'total computation time (last − first output)', unit: 'ms', chart: 'time', better: 'lower', of: (f) => f.computationMs },
  { id: 'wallMs', short: 'wall', label: 'wall time', unit: 'ms', chart: 'time', better: 'lower', of: (f) => f.wallMs },
  { id: 'cpuMs', short: 'CPU', label: 'CPU time (user + system)', unit: 'ms', chart: 'time', better: 'lower', of: (f) => f.cpuMs.total },
  { id: 'eventsPerSecond', short: 'events/s', label: 'throughput: events per second of wall time', unit: 'events/s', chart: null, better: 'higher', of: (f) => f.eventsPerSecond },
  { id: 'pairsPerSecond', short: 'pairs/s', label: 'throughput: pairs per second of wall time', unit: 'pairs/s', chart: null, better: 'higher', of: (f) => f.pairsPerSecond },
  { id: 'latencyP50', short: 'p50', label: 'latency p50', unit: 'ms', chart: 'latency', better: 'lower', of: (f) => f.latencyMs.p50 },
  { id: 'latencyP95', short: 'p95', label: 'latency p95', unit: 'ms', chart: 'latency', better: 'lower', of: (f) => f.latencyMs.p95 },
  { id: 'latencyP99', short: 'p99', label: 'latency p99', unit: 'ms', chart: 'latency', better: 'lower', of: (f) => f.latencyMs.p99 },
  { id: 'peakRssMb', short: 'peak RSS', label: 'peak RSS', unit: 'MB', chart: 'memory', better: 'lower', of: (f) => f.peakRssMb },
];
