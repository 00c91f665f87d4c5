import fc from 'fast-check';
import { buildRandomPipeline, randomPipelineProgram } from '../support/random-pipelines.js';
import { describe, expect, it } from 'vitest';
import { PipelineConstructionError } from '../../sdk/errors.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import type { PipelineGraph } from '../../sdk/graph.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec } from '../../sdk/state.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { minutes, seconds } from '../../sdk/time.js';
import { FixedWindows, Sessions } from '../../sdk/windows/index.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Combine } from '../../transforms/combine.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { windowedPageViews } from '../../pipelines/examples/windowed-page-views.js';
import { buildNetflowApp } from '../../pipelines/netflow/netflow-app.js';
import { planStages, type PlanEdge, type StagePlan } from '../../runners/core/plan/stage-plan.js';
import { sumFn } from '../../transforms/combiners/sum.js';

/** The edges of a kind, as `from[.tag] -> to`. */
function edgesOf(plan: StagePlan, kind: PlanEdge['kind']): string[] {
  return plan.edges.filter((e) => e.kind === kind).map((e) => `${e.from}${e.tag === 'main' ? '' : `.${e.tag}`} -> ${e.to}`);
}

/** What every plan must satisfy, whatever the pipeline. */
function checkInvariants(graph: PipelineGraph, plan: StagePlan): void {
  // every primitive is in exactly one stage, and stageOf agrees with the stages' step lists
  const listed = plan.stages.flatMap((s) => s.steps);
  expect([...listed].sort()).toEqual(graph.primitives.map((n) => n.fullName).sort());
  for (const s of plan.stages) for (const step of s.steps) expect(plan.stageOf.get(step)).toBe(s.index);
  // stages are numbered in the order of their first steps, and named after them
  const order = new Map(graph.primitives.map((n, i) => [n.fullName, i]));
  plan.stages.forEach((s, i) => {
    expect(s.index).toBe(i);
    expect(s.name).toBe(s.steps[0]);
    if (i > 0) expect(order.get(s.name)!).toBeGreaterThan(order.get(plan.stages[i - 1]!.name)!);
  });
  // one edge per input of every primitive
  const inputs = graph.primitives.reduce((n, p) => n + p.inputs.length + p.sideInputs.length, 0);
  expect(plan.edges).toHaveLength(inputs);
  for (const e of plan.edges) {
    const from = plan.stageOf.get(e.from)!;
    const to = plan.stageOf.get(e.to)!;
    expect(from).toBeLessThanOrEqual(to); // stages form a DAG in index order
    if (e.kind === 'forward') expect(from).toBe(to);
    if (e.kind === 'keyed' || e.kind === 'rebalance') expect(from).toBeLessThan(to);
    if (e.kind === 'keyed') expect(plan.stages[to]!.name).toBe(e.to); // a keyed consumer starts its stage
    if (e.keyPreserving) expect(e.kind).toBe('keyed');
  }
  // a stage is keyed exactly when a keyed edge enters it
  for (const s of plan.stages) expect(s.keyed).toBe(plan.edges.some((e) => e.kind === 'keyed' && e.to === s.name));
}

function plan(p: Pipeline): StagePlan {
  const g = p.graph();
  const result = planStages(g);
  checkInvariants(g, result);
  return result;
}

describe('planStages', () => {
  it('cuts the Netflow app (as the CLI builds it) at its GroupByKey, the stateful Pairs step and the two global combines', () => {
    const p = Pipeline.create({});
    buildNetflowApp(p, { input: { kind: 'generator', options: { count: 10 } }, output: { kind: 'stdout-summary' }, job: { topN: 5, histogram: { kind: 'log', bucketsPerDecade: 10 } } });
    const result = plan(p);
    expect(result.stages.map((s) => [s.name, s.keyed])).toEqual([
      ['Generator', false],
      ['Netflow/GroupByKey', true],
      ['Netflow/Pairs', true],
      ['Netflow/TopPerWindow/Combine', true],
      ['Netflow/RunHistogram/Combine', true],
    ]);
    expect(result.stages[0]!.steps).toEqual(['Generator', 'Netflow/DropIPv6', 'Netflow/Parse', 'Netflow/EventTime', 'Netflow/BySourceIp', 'Netflow/Window']);
    expect(result.stages[0]!.reads).toEqual(['Generator']);
    expect(edgesOf(result, 'keyed')).toEqual([
      'Netflow/Window -> Netflow/GroupByKey',
      'Netflow/GroupByKey -> Netflow/Pairs',
      'Netflow/TopPerWindow/WithNullKey -> Netflow/TopPerWindow/Combine',
      'Netflow/RunHistogram/WithNullKey -> Netflow/RunHistogram/Combine',
    ]);
    // the Pairs step reads the GroupByKey's groups, whose keys it keeps
    expect(result.edges.filter((e) => e.keyPreserving).map((e) => e.to)).toEqual(['Netflow/Pairs']);
    // the rejects of the parse steps join the pairs' rejects in the Pairs stage
    expect(edgesOf(result, 'rebalance')).toEqual([
      'Netflow/DropIPv6.rejected -> Netflow/Rejected',
      'Netflow/Parse.rejected -> Netflow/Rejected',
      'Netflow/DropIPv6.deadLetter -> Netflow/Rejected',
      'Netflow/Parse.deadLetter -> Netflow/Rejected',
    ]);
    expect(result.stageOf.get('Netflow/Rejected')).toBe(2);
    expect(result.stageOf.get('PairStats')).toBe(2); // the sink of every pair stays with the pairs
    expect(edgesOf(result, 'broadcast')).toEqual([]);
  });

  it('the windowed page views example: one source stage, one keyed stage per aggregation', () => {
    const p = Pipeline.create({});
    windowedPageViews(p, 100);
    const result = plan(p);
    expect(result.stages.map((s) => [s.name, s.keyed])).toEqual([
      ['PageViews', false],
      ['CountPerUser', true],
      ['Busiest/Combine', true],
    ]);
    expect(result.stages[1]!.steps).toContain('OnTimeOnly');
  });

  it('a CoGroupByKey: the Flatten joins the later input stage, the other input is rebalanced, the cut falls before the GroupByKey', () => {
    const p = Pipeline.create({});
    const orders = p.apply('Orders', Create([{ id: 'a', total: 3 }])).apply('OrdersById', WithKeys((o: { id: string }) => o.id));
    const payments = p.apply('Payments', Create([{ orderId: 'a', paid: 3 }])).apply('PaymentsById', WithKeys((x: { orderId: string }) => x.orderId));
    p.apply('Join', CoGroupByKey({ orders, payments })).apply('Report', MapElements((r: KV<unknown, unknown>) => String(r.key)));
    const result = plan(p);
    expect(result.stages.map((s) => s.name)).toEqual(['Orders', 'Payments', 'Join/GroupByKey']);
    expect(result.stages[1]!.steps).toEqual(['Payments', 'PaymentsById', 'Join/Flatten']);
    expect(result.stages[0]!.steps).toEqual(['Orders', 'OrdersById']);
    expect(edgesOf(result, 'rebalance')).toEqual(['OrdersById -> Join/Flatten']);
    expect(edgesOf(result, 'keyed')).toEqual(['Join/Flatten -> Join/GroupByKey']);
    expect(result.stages[2]!.steps).toEqual(['Join/GroupByKey', 'Report']);
  });

  it('a stateful ParDo starts a keyed stage; a stateless one stays with its input', () => {
    const p = Pipeline.create({});
    const alerts = statefulDoFn<KV<string, number>>()({
      state: { total: StateSpec.value<number>() },
      process(e, ctx) {
        ctx.state.total.write((ctx.state.total.read() ?? 0) + e.value);
        return e.key;
      },
    });
    p.apply('Purchases', Create([{ customer: 'ann', amount: 40 }]))
      .apply('Hourly', Window.into(FixedWindows(minutes(60))))
      .apply('ByCustomer', MapElements((x: { customer: string; amount: number }) => kv(x.customer, x.amount)))
      .apply('Alerts', ParDo(alerts))
      .apply('Format', MapElements((s: string) => s.toUpperCase()));
    const result = plan(p);
    expect(result.stages.map((s) => [s.name, s.steps])).toEqual([
      ['Purchases', ['Purchases', 'Hourly', 'ByCustomer']],
      ['Alerts', ['Alerts', 'Format']],
    ]);
    expect(result.edges.find((e) => e.to === 'Alerts')).toMatchObject({ kind: 'keyed', keyPreserving: false });
  });

  it('side inputs are broadcast edges, across stages or within one', () => {
    const p = Pipeline.create({});
    const rates = p.apply('Rates', Create([1, 2]));
    const rateView = View.asList(rates);
    const words = p.apply('Words', Create(['a', 'b']));
    const lengths = View.asList(words.apply('Lengths', MapElements((w: string) => w.length)));
    words.apply('Use', ParDo<string, string>({ process: (w, ctx) => `${w}${ctx.sideInput(rateView).length}${ctx.sideInput(lengths).length}` }).withSideInputs(rateView, lengths));
    const result = plan(p);
    expect(result.stages.map((s) => s.steps)).toEqual([['Rates'], ['Words', 'Lengths', 'Use']]);
    expect(result.edges.filter((e) => e.side).map((e) => [e.from, e.to, e.input, e.kind])).toEqual([
      ['Rates', 'Use', 0, 'broadcast'],
      ['Lengths', 'Use', 1, 'broadcast'],
    ]);
    expect(result.edges.find((e) => e.to === 'Use' && !e.side)!.kind).toBe('forward');
  });

  it('a step whose side input is made after a cut joins that later stage, its main input rebalanced (stages stay a DAG)', () => {
    const p = Pipeline.create({});
    const events = p.apply('Events', Create([kv('a', 1)]));
    const totals = View.asList(events.apply('Totals', Combine.perKey<string, number, unknown, number>(sumFn() as never)));
    events.apply('Share', ParDo<KV<string, number>, number>({ process: (e, ctx) => e.value / ctx.sideInput(totals).length }).withSideInputs(totals));
    const result = plan(p);
    expect(result.stages.map((s) => s.steps)).toEqual([['Events'], ['Totals', 'Share']]);
    expect(result.edges.filter((e) => e.to === 'Share').map((e) => [e.from, e.side, e.kind])).toEqual([
      ['Events', false, 'rebalance'],
      ['Totals', true, 'broadcast'],
    ]);
  });

  it('Combine.globally: the null key is added before the cut, the combine is keyed', () => {
    const p = Pipeline.create({});
    p.apply('Numbers', Create([1, 2, 3])).apply('Total', Combine.globally(sumFn()));
    const result = plan(p);
    expect(result.stages.map((s) => s.name)).toEqual(['Numbers', 'Total/Combine']);
    expect(result.stages[0]!.steps).toEqual(['Numbers', 'Total/WithNullKey']);
    expect(edgesOf(result, 'keyed')).toEqual(['Total/WithNullKey -> Total/Combine']);
  });

  it('sessions over a TestStream, and a Count on a GroupByKey output keeping its key', () => {
    const p = Pipeline.create({});
    const clicks = TestStream.create<string>().addElements({ value: 'ann', timestamp: 0 }).advanceWatermarkToInfinity();
    const grouped = p
      .apply('Clicks', clicks)
      .apply('Sessions', Window.into(Sessions(seconds(30))))
      .apply('ByUser', WithKeys((u: string) => u))
      .apply('Group', GroupByKey<string, string>());
    grouped.apply('Sizes', MapElements((g: KV<string, string[]>) => kv(g.key, g.value.length))).apply('Count', Count.perKey<string>());
    const result = plan(p);
    expect(result.stages.map((s) => s.name)).toEqual(['Clicks', 'Group', 'Count']);
    // Sizes makes new KVs: the planner cannot know the key is kept, so that edge is not key-preserving
    expect(result.edges.filter((e) => e.kind === 'keyed').map((e) => e.keyPreserving)).toEqual([false, false]);
  });

  it('a pipeline without keyed steps is one stage per source; a Flatten of sources joins the later one', () => {
    const p = Pipeline.create({});
    const a = p.apply('A', Create([1]));
    const b = p.apply('B', Create([2]));
    p.apply('Both', Flatten(a, b)).apply('Double', MapElements((x: number) => x * 2));
    const result = plan(p);
    expect(result.stages.map((s) => [s.name, s.keyed, s.steps])).toEqual([
      ['A', false, ['A']],
      ['B', false, ['B', 'Both', 'Double']],
    ]);
    expect(edgesOf(result, 'rebalance')).toEqual(['A -> Both']);
  });

  it('refuses a graph whose primitives are not in topological order, naming the step', () => {
    const p = Pipeline.create({});
    p.apply('Numbers', Create([1])).apply('Count', Count.globally());
    const g = p.graph();
    const shuffled: PipelineGraph = { ...g, primitives: [...g.primitives].reverse() };
    expect(() => planStages(shuffled)).toThrow(PipelineConstructionError);
    expect(() => planStages(shuffled)).toThrow(/step 'Count\/Values' reads from 'Count\/Combine'/);
  });

  it('holds its invariants on random pipelines of reads, maps, flattens, side inputs and keyed steps', () => {
    fc.assert(
      fc.property(randomPipelineProgram, (ops) => {
        const g = buildRandomPipeline(ops).graph();
        checkInvariants(g, planStages(g));
      }),
      { numRuns: 200 },
    );
  });
});
