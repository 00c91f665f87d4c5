import type { PipelineGraph, ReadPayload } from '../../../sdk/graph.js';
import type { GraphStep } from '../../../sdk/run-observer.js';

/**
 * The primitive steps of `graph` in topological order, each with the steps (and output tags) it
 * reads: what an observer draws as the pipeline graph.
 * @example describeGraph(p.graph()) // [{ step: 'Read', kind: 'read', inputs: [], sideInputs: [], bounded: true }, { step: 'Count/GroupByKey', kind: 'gbk', inputs: [{ step: 'Read', tag: 'main' }], ... }]
 */
export function describeGraph(graph: PipelineGraph): GraphStep[] {
  return graph.primitives.map((node) => {
    const payload = node.payload!;
    return {
      step: node.fullName,
      kind: payload.kind,
      inputs: node.inputs.map((pc) => ({ step: pc.producer.fullName, tag: pc.tag })),
      sideInputs: node.sideInputs.map((v) => v.pcollection.producer.fullName),
      ...(payload.kind === 'read' ? { bounded: (payload as ReadPayload).source.bounded } : {}),
    };
  });
}
