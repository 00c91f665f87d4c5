import { PipelineOptionsError, type UnsupportedFeature } from './errors.js';
import type { PipelineGraph } from './graph.js';
import type { StepMetrics } from './metrics.js';
import type { PipelineOptions } from './options.js';
import type { Instant } from './time.js';

/** One micro-batch, as the micro-batch runner reports it (like Spark's progress reports). */
export interface BatchMetrics {
  readonly batchId: number;
  readonly inputRows: number;
  /** Processing-time duration of the batch, from the runner's clock. */
  readonly durationMs: number;
  /** The watermark after the batch. */
  readonly watermark: Instant;
  readonly startedAt: Instant;
}

/** What `pipeline.run()` resolves with. */
export interface PipelineResult {
  readonly runner: string;
  readonly state: 'DONE' | 'CANCELLED';
  /** Per step, by full step name. */
  readonly metrics: Readonly<Record<string, StepMetrics>>;
  /** Micro-batch runner only. */
  readonly batches?: readonly BatchMetrics[];
  readonly startedAt: Instant;
  readonly finishedAt: Instant;
}

/** A running pipeline. */
export interface PipelineRun {
  /** Resolves when the run ends (bounded input consumed, or cancelled); rejects with a typed error. */
  readonly done: Promise<PipelineResult>;
  /** Stops reading, lets in-flight work finish, resolves `done` with state CANCELLED. */
  cancel(): void;
}

/**
 * An execution engine. A runner checks a pipeline before running it and lists every feature it
 * cannot honour instead of ignoring them.
 */
export interface Runner {
  readonly name: string;
  validate(graph: PipelineGraph, options: PipelineOptions): UnsupportedFeature[];
  start(graph: PipelineGraph, options: PipelineOptions): PipelineRun;
}

const registry = new Map<string, () => Runner>();

/**
 * Makes a runner selectable by `--runner=<name>`. Runner packages call this when imported; the SDK
 * never imports a runner itself.
 */
export function registerRunner(name: string, factory: () => Runner): void {
  registry.set(name, factory);
}

export function registeredRunners(): string[] {
  return [...registry.keys()].sort();
}

/** @throws PipelineOptionsError naming the registered runners when `name` is not one of them. */
export function resolveRunner(name: string): Runner {
  const f = registry.get(name);
  if (!f) {
    const known = registeredRunners();
    throw new PipelineOptionsError(
      `unknown runner '${name}'. ` +
        (known.length ? `Registered runners: ${known.join(', ')}.` : `No runner is registered: import 'watershed/runners' (runners/index.ts) before running.`),
    );
  }
  return f();
}
