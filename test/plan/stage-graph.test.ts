import fc from 'fast-check';
import { buildRandomPipeline, randomPipelineProgram } from '../support/random-pipelines.js';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../runners/core/engine.js';
import { ExchangeSourceError, isExchangeNode, stageGraphs, type StageGraph } from '../../runners/core/plan/stage-graph.js';
import { planStages } from '../../runners/core/plan/stage-plan.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import type { PipelineGraph, ReadPayload } from '../../sdk/graph.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { View } from '../../sdk/side-input.js';
import { StateSpec } from '../../sdk/state.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { minutes, seconds } from '../../sdk/time.js';
import { FixedWindows, Sessions } from '../../sdk/windows/index.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Combine } from '../../transforms/combine.js';
import { Count } from '../../transforms/combiners/count.js';
import { sumFn } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { windowedPageViews } from '../../pipelines/examples/windowed-page-views.js';
import { buildNetflowApp } from '../../pipelines/netflow/netflow-app.js';

/**
 * Design step 3 (docs/design/scale-out.md §6): the stage graphs of a pipeline. The pipelines are the
 * ones step 1's planner tests use (test/plan/stage-plan.test.ts), plus random ones.
 */

/** What every set of stage graphs must satisfy, whatever the pipeline. */
function checkStageGraphs(graph: PipelineGraph, graphs: readonly StageGraph[]): void {
  const plan = planStages(graph);
  expect(graphs.map((g) => g.stage)).toEqual(plan.stages);
  // every primitive of the pipeline is in exactly one stage graph, the same node object, in graph order
  const steps = graphs.flatMap((g) => g.graph.primitives.filter((n) => !isExchangeNode(n)));
  expect(steps).toHaveLength(graph.primitives.length);
  expect(new Set(steps)).toEqual(new Set(graph.primitives));
  for (const g of graphs) {
    const own = g.graph.primitives.filter((n) => !isExchangeNode(n));
    expect(own.map((n) => n.fullName)).toEqual(g.stage.steps);
    // exchange reads come first, then the steps (topological order within the stage graph)
    expect(g.graph.primitives.slice(0, g.reads.length)).toEqual(g.reads.map((r) => r.node));
    // every PCollection a step here reads is made here: by a step of the stage or by an exchange read
    const made = new Set<PCollection<unknown>>();
    for (const n of g.graph.primitives) for (const pc of Object.values(n.outputs)) made.add(pc);
    for (const n of own) {
      for (const pc of n.inputs) expect(made.has(pc)).toBe(true);
      for (const v of n.sideInputs) expect(made.has(v.pcollection)).toBe(true);
    }
    // exchange reads: one per PCollection from another (earlier) stage, reusing the PCollection itself
    const readPcs = g.reads.map((r) => r.pcollection);
    expect(new Set(readPcs).size).toBe(readPcs.length);
    for (const r of g.reads) {
      expect(r.node.outputs).toEqual({ main: r.pcollection });
      expect(r.node.payload?.kind).toBe('read');
      expect(r.fromStage).toBe(plan.stageOf.get(r.pcollection.producer.fullName));
      expect(r.fromStage).toBeLessThan(g.stage.index);
      const edges = plan.edges.filter((e) => plan.stageOf.get(e.to) === g.stage.index && e.from === r.pcollection.producer.fullName && e.tag === r.pcollection.tag);
      expect(edges.length).toBeGreaterThan(0);
      expect(edges.every((e) => e.kind !== 'forward')).toBe(true);
      const kinds = new Set(edges.map((e) => e.kind));
      expect(r.routing).toBe(kinds.has('keyed') ? 'keyed' : kinds.has('rebalance') ? 'rebalance' : 'broadcast');
      if (r.routing === 'keyed') expect(edges.find((e) => e.kind === 'keyed')!.to).toBe(g.stage.name);
      expect(r.alsoBroadcast).toBe(kinds.has('broadcast') && (kinds.has('keyed') || kinds.has('rebalance')));
      // and the stage that makes it writes it to this stage, once
      expect(graphs[r.fromStage]!.writes.filter((w) => w.pcollection === r.pcollection && w.toStage === g.stage.index)).toHaveLength(1);
    }
    // exchange writes: outside the primitives, reading a PCollection made here, going to a later stage that reads it
    for (const w of g.writes) {
      expect(g.graph.primitives).not.toContain(w.node);
      expect(g.graph.all).toContain(w.node);
      expect(w.node.inputs).toEqual([w.pcollection]);
      expect(plan.stageOf.get(w.pcollection.producer.fullName)).toBe(g.stage.index);
      expect(w.toStage).toBeGreaterThan(g.stage.index);
      expect(graphs[w.toStage]!.reads.filter((r) => r.pcollection === w.pcollection)).toHaveLength(1);
    }
  }
  // one exchange per cross-stage edge's (PCollection, consuming stage), and no other
  const crossing = new Set(plan.edges.filter((e) => e.kind !== 'forward' && plan.stageOf.get(e.from) !== plan.stageOf.get(e.to)).map((e) => `${e.from}.${e.tag} -> ${plan.stageOf.get(e.to)}`));
  expect(new Set(graphs.flatMap((g) => g.reads.map((r) => `${r.pcollection.name} -> ${g.stage.index}`)))).toEqual(crossing);
  // an Engine wires every stage graph as it is (nothing is opened or run)
  for (const g of graphs) {
    const engine = new Engine(g.graph, { clock: new VirtualClock(0), state: new InMemoryStateBackend(), fireMode: 'immediate', wiring: 'direct' });
    expect(engine.reads.map((r) => r.node)).toEqual(g.graph.primitives.filter((n) => n.payload?.kind === 'read'));
  }
}

function graphsOf(p: Pipeline): StageGraph[] {
  const g = p.graph();
  const result = stageGraphs(g);
  checkStageGraphs(g, result);
  return result;
}

describe('stageGraphs', () => {
  it('the Netflow app: five stage graphs; the parse steps reject into the Pairs stage through exchanges', () => {
    const p = Pipeline.create({});
    buildNetflowApp(p, { input: { kind: 'generator', options: { count: 10 } }, output: { kind: 'stdout-summary' }, job: { topN: 5, histogram: { kind: 'log', bucketsPerDecade: 10 } } });
    const graphs = graphsOf(p);
    expect(graphs.map((g) => g.reads.map((r) => `${r.pcollection.name} ${r.routing}`))).toEqual([
      [],
      ['Netflow/Window.main keyed'],
      ['Netflow/GroupByKey.main keyed', 'Netflow/DropIPv6.rejected rebalance', 'Netflow/Parse.rejected rebalance', 'Netflow/DropIPv6.deadLetter rebalance', 'Netflow/Parse.deadLetter rebalance'],
      ['Netflow/TopPerWindow/WithNullKey.main keyed'],
      ['Netflow/RunHistogram/WithNullKey.main keyed'],
    ]);
    expect(graphs[0]!.writes.map((w) => `${w.pcollection.name} -> ${w.toStage}`)).toEqual([
      'Netflow/DropIPv6.rejected -> 2',
      'Netflow/DropIPv6.deadLetter -> 2',
      'Netflow/Parse.rejected -> 2',
      'Netflow/Parse.deadLetter -> 2',
      'Netflow/Window.main -> 1',
    ]);
    expect(graphs[2]!.reads[0]!.node.fullName).toBe('[exchange-read Netflow/GroupByKey.main]');
    expect(graphs[0]!.writes.at(-1)!.node.fullName).toBe('[exchange-write Netflow/Window.main -> Netflow/GroupByKey]');
  });

  it('the windowed page views example', () => {
    const p = Pipeline.create({});
    windowedPageViews(p, 100);
    expect(graphsOf(p).map((g) => g.stage.name)).toEqual(['PageViews', 'CountPerUser', 'Busiest/Combine']);
  });

  it('a CoGroupByKey: the Flatten reads the other input over a rebalance exchange, the GroupByKey its input over a keyed one', () => {
    const p = Pipeline.create({});
    const orders = p.apply('Orders', Create([{ id: 'a', total: 3 }])).apply('OrdersById', WithKeys((o: { id: string }) => o.id));
    const payments = p.apply('Payments', Create([{ orderId: 'a', paid: 3 }])).apply('PaymentsById', WithKeys((x: { orderId: string }) => x.orderId));
    p.apply('Join', CoGroupByKey({ orders, payments })).apply('Report', MapElements((r: KV<unknown, unknown>) => String(r.key)));
    const graphs = graphsOf(p);
    expect(graphs.map((g) => g.reads.map((r) => `${r.pcollection.name} ${r.routing}`))).toEqual([[], ['OrdersById.main rebalance'], ['Join/Flatten.main keyed']]);
  });

  it('a stateful ParDo', () => {
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
    expect(graphsOf(p)[1]!.reads.map((r) => r.routing)).toEqual(['keyed']);
  });

  it('side inputs: a broadcast exchange for a view made in another stage, none for one made in the stage', () => {
    const p = Pipeline.create({});
    const rates = p.apply('Rates', Create([1, 2]));
    const rateView = View.asList(rates);
    const words = p.apply('Words', Create(['a', 'b']));
    const lengths = View.asList(words.apply('Lengths', MapElements((w: string) => w.length)));
    words.apply('Use', ParDo<string, string>({ process: (w, ctx) => `${w}${ctx.sideInput(rateView).length}${ctx.sideInput(lengths).length}` }).withSideInputs(rateView, lengths));
    const graphs = graphsOf(p);
    expect(graphs[1]!.reads.map((r) => [r.pcollection.name, r.routing])).toEqual([['Rates.main', 'broadcast']]);
  });

  it('a side input made after a cut, and Combine.globally', () => {
    const p = Pipeline.create({});
    const events = p.apply('Events', Create([kv('a', 1)]));
    const totals = View.asList(events.apply('Totals', Combine.perKey<string, number, unknown, number>(sumFn() as never)));
    events.apply('Share', ParDo<KV<string, number>, number>({ process: (e, ctx) => e.value / ctx.sideInput(totals).length }).withSideInputs(totals));
    p.apply('Numbers', Create([1, 2, 3])).apply('Total', Combine.globally(sumFn()));
    const graphs = graphsOf(p);
    // Events goes to the Totals stage keyed (the Combine) and rebalanced (Share's main input): one exchange
    expect(graphs[1]!.reads.map((r) => [r.pcollection.name, r.routing, r.alsoBroadcast])).toEqual([['Events.main', 'keyed', false]]);
  });

  it('sessions over a TestStream, and a Flatten of two sources', () => {
    const p = Pipeline.create({});
    const clicks = TestStream.create<string>().addElements({ value: 'ann', timestamp: 0 }).advanceWatermarkToInfinity();
    const grouped = p
      .apply('Clicks', clicks)
      .apply('Sessions', Window.into(Sessions(seconds(30))))
      .apply('ByUser', WithKeys((u: string) => u))
      .apply('Group', GroupByKey<string, string>());
    grouped.apply('Sizes', MapElements((g: KV<string, string[]>) => kv(g.key, g.value.length))).apply('Count', Count.perKey<string>());
    const a = p.apply('A', Create([1]));
    const b = p.apply('B', Create([2]));
    p.apply('Both', Flatten(a, b)).apply('Double', MapElements((x: number) => x * 2));
    graphsOf(p);
  });

  it('marks a PCollection that enters a stage both as a main input and as a side input (alsoBroadcast)', () => {
    const p = Pipeline.create({});
    const events = p.apply('Events', Create([kv('a', 1)]));
    const view = View.asList(events);
    events
      .apply('Sum', Combine.perKey<string, number, unknown, number>(sumFn() as never))
      .apply('Use', ParDo<KV<string, number>, number>({ process: (e, ctx) => e.value + ctx.sideInput(view).length }).withSideInputs(view));
    const graphs = graphsOf(p);
    expect(graphs[1]!.reads.map((r) => [r.pcollection.name, r.routing, r.alsoBroadcast])).toEqual([['Events.main', 'keyed', true]]);
  });

  it("an exchange read's source cannot be opened", async () => {
    const p = Pipeline.create({});
    p.apply('Numbers', Create([1])).apply('Count', Count.globally());
    const read = graphsOf(p)[1]!.reads[0]!;
    const source = (read.node.payload as ReadPayload).source;
    await expect(source.open({ step: read.node.fullName, clock: new VirtualClock(0), signal: new AbortController().signal })).rejects.toThrow(ExchangeSourceError);
  });

  it('holds its invariants on random pipelines of reads, maps, flattens, side inputs and keyed steps', () => {
    fc.assert(
      fc.property(randomPipelineProgram, (ops) => {
        const g = buildRandomPipeline(ops).graph();
        checkStageGraphs(g, stageGraphs(g));
      }),
      { numRuns: 200 },
    );
  });
});
