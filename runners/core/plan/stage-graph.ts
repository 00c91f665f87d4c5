import type { Source } from '../../../sdk/io/source.js';
import type { PipelineGraph, TransformNode } from '../../../sdk/graph.js';
import type { PCollection } from '../../../sdk/pcollection.js';
import { planStages, type EdgeKind, type Stage, type StagePlan } from './stage-plan.js';

/**
 * The graph one instance of a stage runs (design: docs/design/scale-out.md §6 step 3): the stage's own
 * primitives, unchanged (the same `TransformNode`s, so step names stay the identities of state, timers and
 * checkpoints), plus one synthetic *exchange read* per PCollection that enters the stage from another
 * stage, and one *exchange write* per PCollection that leaves it, per stage it goes to.
 *
 * An exchange read is a `read` primitive whose only output, `main`, is the original `PCollection`, so an
 * `Engine` built over the stage graph wires its consumers (main inputs and side inputs) exactly as in the
 * whole graph, and its records reach them with `Engine.emitWindowed` instead of from a source. Its
 * `source` cannot be opened: an executor feeds it (see `ExchangeSourceError`).
 *
 * An exchange write is a node outside `graph.primitives` (an `Engine` builds no operator for it): its one
 * input is the original `PCollection`, and an executor takes its records with `Engine.tapOutput`, which
 * keeps window, pane and retraction flag as they are, and its watermark with `Engine.outputStatus`. No
 * operator kind forwards records to a channel without changing them, so none is made up for it.
 *
 * Synthetic nodes are named `[exchange-read <pcollection>]` and `[exchange-write <pcollection> -> <stage>]`,
 * names no step can take (`/` separates step names; brackets and spaces are not used by transforms here,
 * and the planner never sees these graphs), and have negative ids.
 *
 * @example
 * const graphs = stageGraphs(p.graph());
 * graphs[1].reads.map((r) => r.pcollection.name) // ['Netflow/Window.main']
 * new Engine(graphs[1].graph, options)           // runs the stage; feed its reads, tap its writes
 */

/** How the records of one PCollection enter one stage (the kinds of the plan's edges it feeds there). */
export type ExchangeRouting = Exclude<EdgeKind, 'forward'>;

/** A PCollection made in another stage, as the stage reads it. */
export interface ExchangeRead {
  /** The synthetic read primitive (in `graph.primitives`, before the stage's steps). */
  readonly node: TransformNode;
  readonly pcollection: PCollection<unknown>;
  /** The stage that makes it. */
  readonly fromStage: number;
  /**
   * How records reach this stage's instances: `keyed` when a keyed consumer reads it, else `rebalance`
   * when some step reads it as a main input, else `broadcast` (side inputs only).
   */
  readonly routing: ExchangeRouting;
  /**
   * It is both a main input and a side input here. With one instance per stage that changes nothing;
   * with several, the side inputs need every record and the main inputs one copy, so an executor must
   * give the two their own reads (open point for design step 4).
   */
  readonly alsoBroadcast: boolean;
}

/** A PCollection made in this stage and read in a later one. */
export interface ExchangeWrite {
  /** The synthetic write node (in `graph.all`, not in `graph.primitives`). */
  readonly node: TransformNode;
  readonly pcollection: PCollection<unknown>;
  /** The stage that reads it; its `ExchangeRead` of the same PCollection says how records are routed. */
  readonly toStage: number;
}

export interface StageGraph {
  readonly stage: Stage;
  /** What an `Engine` runs for one instance of the stage. */
  readonly graph: PipelineGraph;
  readonly reads: readonly ExchangeRead[];
  readonly writes: readonly ExchangeWrite[];
}

/** Something tried to open an exchange read's source: exchange reads are fed by an executor, never read. */
export class ExchangeSourceError extends Error {
  override readonly name = 'ExchangeSourceError';
}

/**
 * One `StageGraph` per stage of `plan` (by default `planStages(graph)`), in stage order.
 * @throws PipelineConstructionError from `planStages` for a graph out of order.
 */
export function stageGraphs(graph: PipelineGraph, plan: StagePlan = planStages(graph)): StageGraph[] {
  const stageOfNode = (n: TransformNode) => plan.stageOf.get(n.fullName)!;
  let nextId = -1;
  return plan.stages.map((stage) => {
    const steps = graph.primitives.filter((n) => stageOfNode(n) === stage.index);
    // Incoming: every input or side input of a step here whose producer is in another stage.
    const incoming = new Map<PCollection<unknown>, { keyed: boolean; main: boolean; side: boolean }>();
    for (const n of steps) {
      const note = (pc: PCollection<unknown>, how: 'main' | 'side') => {
        if (stageOfNode(pc.producer) === stage.index) return;
        const e = incoming.get(pc) ?? { keyed: false, main: false, side: false };
        if (how === 'side') e.side = true;
        else {
          e.main = true;
          if (plan.edges.some((x) => x.to === n.fullName && !x.side && x.kind === 'keyed')) e.keyed = true;
        }
        incoming.set(pc, e);
      };
      for (const pc of n.inputs) note(pc, 'main');
      for (const v of n.sideInputs) note(v.pcollection, 'side');
    }
    const reads: ExchangeRead[] = [...incoming].map(([pc, e]) => ({
      node: exchangeReadNode(nextId--, pc),
      pcollection: pc,
      fromStage: stageOfNode(pc.producer),
      routing: e.keyed ? 'keyed' : e.main ? 'rebalance' : 'broadcast',
      alsoBroadcast: e.main && e.side,
    }));
    // Outgoing: every output of a step here that a step of a later stage reads, once per such stage.
    const writes: ExchangeWrite[] = [];
    for (const n of steps) {
      for (const pc of Object.values(n.outputs)) {
        const to = new Set<number>();
        for (const c of graph.primitives) {
          const s = stageOfNode(c);
          if (s !== stage.index && (c.inputs.includes(pc) || c.sideInputs.some((v) => v.pcollection === pc))) to.add(s);
        }
        for (const s of [...to].sort((a, b) => a - b)) writes.push({ node: exchangeWriteNode(nextId--, pc, plan.stages[s]!.name), pcollection: pc, toStage: s });
      }
    }
    const primitives = [...reads.map((r) => r.node), ...steps];
    const pcollections = new Set<PCollection<unknown>>();
    for (const n of primitives) {
      for (const pc of n.inputs) pcollections.add(pc);
      for (const v of n.sideInputs) pcollections.add(v.pcollection);
      for (const pc of Object.values(n.outputs)) pcollections.add(pc);
    }
    return {
      stage,
      graph: { primitives, all: [...primitives, ...writes.map((w) => w.node)], pcollections: [...pcollections] },
      reads,
      writes,
    };
  });
}

/** The source of an exchange read: it has no reader of its own. */
function exchangeSource(pc: PCollection<unknown>): Source<unknown> {
  return {
    name: 'exchange',
    bounded: pc.bounded,
    open() {
      return Promise.reject(new ExchangeSourceError(`the exchange read of '${pc.name}' is fed by its stage's executor (Engine.emitWindowed); it cannot be opened as a source`));
    },
  };
}

function exchangeReadNode(id: number, pc: PCollection<unknown>): TransformNode {
  return { id, fullName: `[exchange-read ${pc.name}]`, parent: undefined, children: [], inputs: [], sideInputs: [], outputs: { main: pc }, payload: { kind: 'read', source: exchangeSource(pc) } };
}

function exchangeWriteNode(id: number, pc: PCollection<unknown>, toStage: string): TransformNode {
  return { id, fullName: `[exchange-write ${pc.name} -> ${toStage}]`, parent: undefined, children: [], inputs: [pc], sideInputs: [], outputs: {}, payload: undefined };
}

/** Whether `node` is a synthetic exchange node of a stage graph (not a step of the pipeline). */
export function isExchangeNode(node: TransformNode): boolean {
  return node.id < 0 && node.fullName.startsWith('[exchange-');
}
