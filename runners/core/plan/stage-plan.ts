import { PipelineConstructionError } from '../../../sdk/errors.js';
import type { PipelineGraph, TransformNode } from '../../../sdk/graph.js';

/**
 * The stage plan of a pipeline: where a parallel run cuts its graph (design: docs/design/scale-out.md §3.1).
 *
 * Every input edge of every primitive gets a kind, which says how records cross it when steps run as
 * several instances:
 * - `keyed`: the main input of a GroupByKey, a Combine.perKey or a stateful ParDo. A record goes to the
 *   instance that owns its key's key group, and the consumer starts a stage of its own;
 * - `forward`: the record stays in the instance that made it (same stage);
 * - `rebalance`: a main input from a stage other than the one its consumer joins: a Flatten whose inputs
 *   come from several stages, or a step whose side input comes from a later stage than its main input,
 *   joins the latest of those stages. Any instance may take the record;
 * - `broadcast`: a side input. Every instance of the consumer gets every record (it may stay within one stage).
 *
 * Stages are numbered in the order their first steps come in the graph (topological), are named after
 * that step's `fullName` (a stable identity, as step names are), and every edge between two stages goes
 * from an earlier stage to a later one. The plan is plain data: nothing here runs or changes execution.
 *
 * @example
 * const plan = planStages(p.graph());
 * plan.stages.map((s) => s.name) // ['Read', 'Netflow/GroupByKey', ...]
 * plan.edges.filter((e) => e.kind === 'keyed') // the repartitions a parallel run needs
 */

/** How records cross an edge when its two steps run as several instances (see the module comment). */
export type EdgeKind = 'forward' | 'keyed' | 'rebalance' | 'broadcast';

/** One input of one primitive: from a producer's output (`from`, `tag`) to a consumer (`to`). */
export interface PlanEdge {
  /** The producing step's `fullName`. */
  readonly from: string;
  /** The producer's output tag (`main`, `deadLetter`, `late`, a tagged output). */
  readonly tag: string;
  /** The consuming step's `fullName`. */
  readonly to: string;
  /** The index among the consumer's main inputs, or among its side inputs when `side`. */
  readonly input: number;
  readonly side: boolean;
  readonly kind: EdgeKind;
  /**
   * A keyed edge straight from the main output of a GroupByKey or Combine.perKey: its records are
   * already with the instance owning their key, so a later executor may keep it in place. False for
   * every other edge.
   */
  readonly keyPreserving: boolean;
}

/** A set of steps that run together in each instance, between cuts. */
export interface Stage {
  /** Position in `StagePlan.stages`: the order of the stages' first steps in the graph. */
  readonly index: number;
  /** The `fullName` of its first step. */
  readonly name: string;
  /** Entered by a keyed edge (its first step is a GroupByKey, Combine.perKey or stateful ParDo). */
  readonly keyed: boolean;
  /** Its steps' `fullName`s, in graph order. */
  readonly steps: readonly string[];
  /** Its Read steps (a source stage has one; a Flatten of several sources' chains brings more). */
  readonly reads: readonly string[];
}

export interface StagePlan {
  readonly stages: readonly Stage[];
  /** Every input edge of every primitive, in graph order (main inputs, then side inputs). */
  readonly edges: readonly PlanEdge[];
  /** The stage index of every primitive, by `fullName`. */
  readonly stageOf: ReadonlyMap<string, number>;
}

/**
 * Whether a primitive's main input is a keyed edge: GroupByKey, Combine.perKey and a stateful ParDo
 * keep state by key (the same steps the micro-batch runner treats as shuffles, bar the processing-time
 * Window step, which has no key).
 */
export function isKeyedConsumer(node: TransformNode): boolean {
  const p = node.payload;
  return p !== undefined && (p.kind === 'gbk' || p.kind === 'combine' || (p.kind === 'pardo' && p.stateful));
}

/**
 * Cuts `graph` into stages (see the module comment).
 * @throws PipelineConstructionError naming the step when a primitive reads a collection made by a step
 * that does not come before it in `graph.primitives` (never the case for a graph from `Pipeline.graph()`).
 */
export function planStages(graph: PipelineGraph): StagePlan {
  const stageOf = new Map<string, number>();
  const stages: { name: string; keyed: boolean; steps: string[]; reads: string[] }[] = [];
  const edges: PlanEdge[] = [];
  const newStage = (node: TransformNode, keyed: boolean): number => {
    stages.push({ name: node.fullName, keyed, steps: [], reads: [] });
    return stages.length - 1;
  };
  const producerStage = (consumer: TransformNode, producer: TransformNode): number => {
    const s = stageOf.get(producer.fullName);
    if (s === undefined) {
      throw new PipelineConstructionError(`step '${consumer.fullName}' reads from '${producer.fullName}', which does not come before it in the graph: cannot plan stages`);
    }
    return s;
  };
  for (const node of graph.primitives) {
    const payload = node.payload;
    if (payload === undefined) throw new PipelineConstructionError(`step '${node.fullName}' is listed as a primitive but has no payload: cannot plan stages`);
    const inputStages = node.inputs.map((pc) => producerStage(node, pc.producer));
    const sideStages = node.sideInputs.map((v) => producerStage(node, v.pcollection.producer));
    const keyed = isKeyedConsumer(node);
    // Any other step joins the latest stage among all its inputs, side inputs included, so that
    // every edge between stages goes forward in stage order (the stages form a DAG).
    let stage: number;
    if (payload.kind === 'read' || keyed || inputStages.length === 0) stage = newStage(node, keyed);
    else stage = Math.max(...inputStages, ...sideStages);
    stageOf.set(node.fullName, stage);
    const s = stages[stage]!;
    s.steps.push(node.fullName);
    if (payload.kind === 'read') s.reads.push(node.fullName);
    node.inputs.forEach((pc, input) => {
      const kind: EdgeKind = keyed ? 'keyed' : inputStages[input] === stage ? 'forward' : 'rebalance';
      const producerKind = pc.producer.payload?.kind;
      const keyPreserving = kind === 'keyed' && pc.tag === 'main' && (producerKind === 'gbk' || producerKind === 'combine');
      edges.push({ from: pc.producer.fullName, tag: pc.tag, to: node.fullName, input, side: false, kind, keyPreserving });
    });
    node.sideInputs.forEach((view, input) => {
      const pc = view.pcollection;
      edges.push({ from: pc.producer.fullName, tag: pc.tag, to: node.fullName, input, side: true, kind: 'broadcast', keyPreserving: false });
    });
  }
  return {
    stages: stages.map((s, index) => ({ index, name: s.name, keyed: s.keyed, steps: s.steps, reads: s.reads })),
    edges,
    stageOf,
  };
}
