import '../../runners/index.js';
import type { Engine, EngineOptions } from '../../runners/core/engine.js';
import { StagedEngine } from '../../runners/core/parallel/staged-engine.js';
import { MicroBatchRunner } from '../../runners/microbatch/microbatch-runner.js';
import { NativeRunner } from '../../runners/native/native-runner.js';
import type { PipelineGraph } from '../../sdk/graph.js';
import { registerRunner } from '../../sdk/runner.js';

/**
 * Runners for tests of a run as stages (design: docs/design/scale-out.md §6 step 3): the native and
 * micro-batch runners, loops unchanged, driving a `StagedEngine` (one Engine per stage, connected by
 * exchange channels) instead of one Engine over the whole graph. Registered as `staged-native` and
 * `staged-microbatch`; `stagedRunner(name)` gives the runner name for a configuration's runner.
 *
 * `sabotage` (for tests that the comparison can fail) changes the StagedEngine after it is built,
 * e.g. to drop a record or a watermark status on one channel.
 */
export let sabotage: ((engine: StagedEngine) => void) | undefined;

/** Sets (or with undefined, clears) the sabotage applied to the next runs' StagedEngines. */
export function setSabotage(s: ((engine: StagedEngine) => void) | undefined): void {
  sabotage = s;
}

function staged(graph: PipelineGraph, options: EngineOptions): Engine {
  const e = new StagedEngine(graph, options);
  sabotage?.(e);
  return e;
}

class StagedNativeRunner extends NativeRunner {
  protected override createEngine(graph: PipelineGraph, options: EngineOptions): Engine {
    return staged(graph, options);
  }
}

class StagedMicroBatchRunner extends MicroBatchRunner {
  protected override createEngine(graph: PipelineGraph, options: EngineOptions): Engine {
    return staged(graph, options);
  }
}

registerRunner('staged-native', () => new StagedNativeRunner());
registerRunner('staged-microbatch', () => new StagedMicroBatchRunner());

/** `staged-native` for `native`, `staged-microbatch` for `microbatch`. */
export function stagedRunner(runner: string | undefined): string {
  return `staged-${runner ?? 'native'}`;
}
