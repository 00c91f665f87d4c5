import type { PipelineGraph } from '../../sdk/graph.js';
import type { StepMetrics } from '../../sdk/metrics.js';

/**
 * What a finished run says about records that went to a side output nobody reads: dead letters of a
 * source or of a ParDo built `.withDeadLetters()` (`deadLetters()` not applied), and records an
 * aggregation dropped as late (`lateData()` not applied). Such records are counted in the step's
 * metrics but are otherwise gone, and a run that ends DONE says nothing else about them (a Zeek file
 * resumed without its header, a watermark bound too tight for the input). One line per step, with the
 * count and how to keep them; none when every such output is read or nothing went to it.
 * @example unreadSideOutputWarnings(graph, engine.metrics)
 * // ["step 'Conns' sent 8,714 records to its dead letters, and nothing reads them: apply .deadLetters() to its output to keep them"]
 */
export function unreadSideOutputWarnings(graph: PipelineGraph, metrics: Readonly<Record<string, StepMetrics>>): string[] {
  const read = new Set<unknown>();
  for (const n of graph.primitives) for (const pc of [...n.inputs, ...n.sideInputs.map((v) => v.pcollection)]) read.add(pc);
  const count = (n: number) => `${n.toLocaleString('en-US')} record${n === 1 ? '' : 's'}`;
  const warnings: string[] = [];
  for (const n of graph.primitives) {
    const m = metrics[n.fullName];
    if (!m) continue;
    const dead = n.outputs['deadLetter'];
    if (dead && !read.has(dead) && m.deadLettered > 0) {
      warnings.push(`step '${n.fullName}' sent ${count(m.deadLettered)} to its dead letters, and nothing reads them: apply .deadLetters() to its output to keep them`);
    }
    const late = n.outputs['late'];
    if (late && !read.has(late) && m.lateDropped > 0) {
      warnings.push(`step '${n.fullName}' dropped ${count(m.lateDropped)} as late, and nothing reads them: apply .lateData() to its output to keep them (or allow more lateness, or a larger watermark bound)`);
    }
  }
  return warnings;
}
