import { describe, expect, it } from 'vitest';
import { chartsOf } from '../../bin/dashboard/chart-specs.js';
import { dashboardView } from '../../bin/dashboard/dashboard-view.js';
import { graphSvg } from '../../bin/dashboard/graph-svg.js';
import { pageHtml } from '../../bin/dashboard/page-html.js';
import { staticReportHtml } from '../../bin/dashboard/report-file.js';
import { MAX_HISTORY, RunRecorder, type RunRecord } from '../../bin/dashboard/run-record.js';
import type { GraphStep, RunSample, StepSample } from '../../sdk/run-observer.js';

const GRAPH: GraphStep[] = [
  { step: 'Read', kind: 'read', inputs: [], sideInputs: [], bounded: true },
  { step: 'Job/Parse', kind: 'pardo', inputs: [{ step: 'Read', tag: 'main' }], sideInputs: [] },
  { step: 'Job/Count', kind: 'combine', inputs: [{ step: 'Job/Parse', tag: 'main' }], sideInputs: [] },
  { step: 'Out', kind: 'pardo', inputs: [{ step: 'Job/Count', tag: 'main' }], sideInputs: [] },
  { step: 'Dead', kind: 'pardo', inputs: [{ step: 'Job/Parse', tag: 'deadLetter' }], sideInputs: [] },
];

const step = (name: string, n: number, extra: Partial<StepSample> = {}): StepSample => ({
  step: name,
  elementsIn: n,
  elementsOut: n,
  lateDropped: 0,
  deadLettered: 0,
  counters: {},
  inputWatermark: 1_000 * n,
  outputWatermark: 1_000 * n,
  buffered: 0,
  ...extra,
});

/** A run of `samples` samples, one a second, 100 elements each; the read's buffer 95 % full. */
function record(runner: string, samples: number, more: Partial<RunSample> = {}, end?: 'DONE'): RunRecord {
  const rec = new RunRecorder();
  rec.started({ runner, startedAt: 0, virtualClock: false, graph: GRAPH });
  for (let i = 1; i <= samples; i++) {
    const n = 100 * i;
    rec.sample({
      at: i * 1000,
      steps: [step('Read', n, { buffered: 9_500, capacity: 10_000, progress: { done: n, total: 100 * samples * 2 } }), step('Job/Parse', n), step('Job/Count', n), step('Out', n), step('Dead', 0)],
      batches: [],
      checkpoints: [],
      examples: [],
      ...(i === samples ? more : {}),
    });
  }
  if (end) rec.finished({ state: end, at: samples * 1000 });
  return rec.record();
}

describe('the dashboard page', () => {
  it("shows the run's id in the summary when the runner gives one", () => {
    const rec = new RunRecorder();
    rec.started({ runner: 'native', runId: '019ae4f2-7c1b-7abc-8def-0123456789ab', startedAt: 0, virtualClock: false, graph: GRAPH });
    expect(rec.record().runId).toBe('019ae4f2-7c1b-7abc-8def-0123456789ab');
    expect(dashboardView([rec.record()]).sections.summary).toContain('<th>run id</th><td><code>019ae4f2-7c1b-7abc-8def-0123456789ab</code></td>');
    expect(dashboardView([record('native', 1)]).sections.summary).toContain('<th>run id</th><td>–</td>');
  });

  it('draws the graph: a box per step in layers from the sources, tagged edges labelled, a full source buffer marked', () => {
    const r = record('native', 3);
    const svg = graphSvg(r.graph, r.steps);
    for (const g of GRAPH) expect(svg).toContain(`data-step="${g.step}"`);
    expect(svg).toMatch(/<g class="step pressure-high" data-step="Read" transform="translate\([\d.]+,10\)">/);
    expect(svg).toMatch(/data-step="Job\/Count" transform="translate\([\d.]+,170\)"/); // third layer
    expect(svg).toContain('>deadLetter</text>');
    expect(svg).toContain('<text class="path" x="8" y="13">Job</text><text class="name" x="8" y="28">Parse</text>');
    expect(svg).toContain('buf 95%');
  });

  it('shows rates, share read and time left, watermark lag, and for an ended run the averages', () => {
    const live = dashboardView([record('native', 5)]);
    expect(live.live).toBe(true);
    expect(live.sections.summary).toContain('data-metric="recordsIn">500</span> (100/s)');
    expect(live.sections.summary).toMatch(/<progress max="1" value="0.5000"><\/progress> 50%, about \d+(\.\d)?s left/);
    expect(live.sections.steps).toContain('<th>in/s</th>');
    const done = dashboardView([record('native', 5, {}, 'DONE')]);
    expect(done.live).toBe(false);
    expect(done.sections.steps).toContain('<th>in/s (avg)</th>');
    expect(done.sections.summary).toContain('state-done');
  });

  it('lists micro-batches, checkpoints with size, duration and outcome, and the latest examples', () => {
    const r = record('microbatch', 2, {
      batches: [{ batchId: 0, inputRows: 40, durationMs: 12, watermark: 5_000, startedAt: 0 }],
      checkpoints: [
        { seq: 1, name: 'checkpoints/ck-000000000001', kind: 'periodic', bytes: 5_120, startedAt: 1_000, durationMs: 7, outcome: 'completed' },
        { kind: 'periodic', startedAt: 2_000, durationMs: 3, outcome: 'failed', error: 'Error: disk full' },
      ],
      examples: [{ step: 'Job/Count', kind: 'late', seenBy: 2_000, text: '{"value":"x"}' }],
    });
    const v = dashboardView([r]);
    expect(v.sections.batches).toContain('<td class="num">0</td><td class="num">40</td><td class="num">12 ms</td>');
    expect(v.sections.checkpoints).toContain('<td class="num">1</td><td>periodic</td><td class="num">5,120 B</td><td class="num">7 ms</td><td>completed</td>');
    expect(v.sections.checkpoints).toContain('<tr class="outcome-failed">');
    expect(v.sections.checkpoints).toContain('failed: Error: disk full');
    expect(v.sections.summary).toContain('1 completed, 1 failed');
    expect(v.sections.examples).toContain('<b>Job/Count</b> <code>{&quot;value&quot;:&quot;x&quot;}</code>');
    expect(v.charts.map((c) => c.title)).toEqual(['Records per second', 'Watermark lag', 'Source buffer fill', 'Micro-batches']);
  });

  it('escapes what comes from the data and the pipeline: no markup of a record or step name gets through', async () => {
    const evil = '</code><script>alert(1)</script>';
    const r = record('native', 2, { examples: [{ step: 'Job/Parse', kind: 'deadLetter', seenBy: 2_000, text: evil }] });
    const v = dashboardView([r]);
    expect(v.sections.examples).not.toContain('<script>');
    expect(v.sections.examples).toContain('&lt;/code&gt;&lt;script&gt;');
    const live = pageHtml({ ...v, charts: [{ ...v.charts[0]!, title: evil }] }, { kind: 'live' });
    expect(live.match(/<script/g)).toHaveLength(4); // the chart data and the three scripts of the page, nothing else
    expect(await staticReportHtml([r], new Date(0))).not.toContain('<script');
  });

  it('keeps the whole run in at most MAX_HISTORY points, and picks a unit for the lag', () => {
    const r = record('native', MAX_HISTORY * 2 + 17);
    expect(r.history.length).toBeLessThanOrEqual(MAX_HISTORY);
    expect(r.history[0]!.t).toBeLessThan(10);
    expect(r.history[r.history.length - 1]!.t).toBe(MAX_HISTORY * 2 + 17);
    const lag = chartsOf([r]).find((c) => c.title === 'Watermark lag')!;
    expect(JSON.stringify(lag.spec)).toContain('"title":"seconds"');
    const old = new RunRecorder();
    old.started({ runner: 'native', startedAt: 0, virtualClock: false, graph: GRAPH });
    old.sample({ at: 10 * 365 * 86_400_000, steps: [step('Read', 1, { inputWatermark: 1_000 })], batches: [], checkpoints: [], examples: [] });
    old.sample({ at: 10 * 365 * 86_400_000 + 1000, steps: [step('Read', 2, { inputWatermark: 2_000 })], batches: [], checkpoints: [], examples: [] });
    expect(JSON.stringify(chartsOf([old.record()]).find((c) => c.title === 'Watermark lag')!.spec)).toContain('"title":"years"');
  });

  it('puts several runs side by side (compare): one column each, charts with a line per run', () => {
    const v = dashboardView([record('native', 3, {}, 'DONE'), record('microbatch', 3, {}, 'DONE')]);
    expect(v.title).toBe('Watershed: native vs microbatch');
    expect(v.sections.summary).toContain('<th class="runner">native</th><th class="runner">microbatch</th>');
    expect(v.sections.graph).toContain('<div class="run" data-runner="microbatch"><h3>microbatch</h3><svg class="graph"');
    const series = new Set(chartsOf([record('native', 3), record('microbatch', 3)])[0]!.rows.map((x) => x['series']));
    expect(series).toEqual(new Set(['native: in', 'native: out', 'microbatch: in', 'microbatch: out']));
  });
});
