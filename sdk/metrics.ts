/** Per-step counters a run reports. */
export interface StepMetrics {
  elementsIn: number;
  elementsOut: number;
  /** Elements behind the watermark by more than the allowed lateness, or for a closed window. */
  lateDropped: number;
  /** Elements routed to a dead-letter output. */
  deadLettered: number;
  /** User counters, by name (ctx.metrics.counter('x').inc()). */
  counters: Record<string, number>;
  /** User distributions, by name: count, sum, min, max. */
  distributions: Record<string, { count: number; sum: number; min: number; max: number }>;
}

export function emptyStepMetrics(): StepMetrics {
  return { elementsIn: 0, elementsOut: 0, lateDropped: 0, deadLettered: 0, counters: {}, distributions: {} };
}

/** User metrics as a DoFn sees them. */
export interface MetricsContext {
  counter(name: string): { inc(n?: number): void };
  distribution(name: string): { update(value: number): void };
}
