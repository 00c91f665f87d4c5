import type { PipelineResult } from '../sdk/runner.js';

/** A table of per-step metrics, plus micro-batch progress, for the command line. */
export function formatMetrics(result: PipelineResult): string {
  const rows = Object.entries(result.metrics);
  const w = Math.max(4, ...rows.map(([s]) => s.length));
  const lines = [`${'step'.padEnd(w)}  ${'in'.padStart(9)}  ${'out'.padStart(9)}  ${'late'.padStart(6)}  ${'dead'.padStart(6)}`];
  for (const [step, m] of rows) {
    lines.push(`${step.padEnd(w)}  ${String(m.elementsIn).padStart(9)}  ${String(m.elementsOut).padStart(9)}  ${String(m.lateDropped).padStart(6)}  ${String(m.deadLettered).padStart(6)}`);
  }
  lines.push(`runner ${result.runner}: ${result.state} in ${result.finishedAt - result.startedAt} ms` + (result.batches ? `, ${result.batches.length} batches` : ''));
  return lines.join('\n');
}
