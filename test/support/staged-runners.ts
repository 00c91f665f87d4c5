import '../../runners/index.js';
import type { Engine, EngineOptions } from '../../runners/core/engine.js';
import { StagedEngine } from '../../runners/core/parallel/staged-engine.js';
import { MicroBatchRunner } from '../../runners/microbatch/microbatch-runner.js';
import { NativeRunner } from '../../runners/native/native-runner.js';
import type { PipelineGraph } from '../../sdk/graph.js';
import { registerRunner } from '../../sdk/runner.js';

/**
 * Runners for tests of a run as stages (design: docs/design/scale-out.md §6 steps 3 and 4): the native
 * and micro-batch runners, loops unchanged, driving a `StagedEngine` (one or more Engines per stage,
 * connected by exchange channels) instead of one Engine over the whole graph. `stagedRunner(runner, n)`
 * registers (once) and names the one for a configuration's runner with `n` instances per keyed stage.
 *
 * `setSabotage` (for tests that the comparison can fail, or that spy on the exchange) changes the next
 * runs' StagedEngines after they are built, e.g. to drop a record or a watermark status on a channel.
 */
let sabotage: ((engine: StagedEngine) => void) | undefined;

/** Sets (or with undefined, clears) what is done to the next runs' StagedEngines. */
export function setSabotage(s: ((engine: StagedEngine) => void) | undefined): void {
  sabotage = s;
}

function staged(graph: PipelineGraph, options: EngineOptions, instances: number): Engine {
  const e = new StagedEngine(graph, options, { instances });
  sabotage?.(e);
  return e;
}

const registered = new Set<string>();

/** The name of the staged runner for `runner` (native or microbatch) with `instances` instances per keyed stage, registered on first use. */
export function stagedRunner(runner: string | undefined, instances = 1): string {
  const base = runner ?? 'native';
  const name = `staged${instances}-${base}`;
  if (registered.has(name)) return name;
  registered.add(name);
  if (base === 'microbatch') {
    registerRunner(
      name,
      () =>
        new (class extends MicroBatchRunner {
          protected override createEngine(graph: PipelineGraph, options: EngineOptions): Engine {
            return staged(graph, options, instances);
          }
        })(),
    );
  } else {
    registerRunner(
      name,
      () =>
        new (class extends NativeRunner {
          protected override createEngine(graph: PipelineGraph, options: EngineOptions): Engine {
            return staged(graph, options, instances);
          }
        })(),
    );
  }
  return name;
}
