import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { bufferUntilWindowEnd } from '../../capability-matrix/support/window-end-timers.js';
import { countPerKey } from '../../capability-matrix/support/count-per-key.js';
import type { StagedEngine } from '../../runners/core/parallel/staged-engine.js';
import { statefulDoFn, type DoFn } from '../../sdk/dofn.js';
import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import type { PipelineResult } from '../../sdk/runner.js';
import { View, type PCollectionView } from '../../sdk/side-input.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture, type Probe } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MAX } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterProcessingTime } from '../../sdk/triggers/after-processing-time.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { CoGroupByKey } from '../../transforms/co-group-by-key.js';
import { Combine } from '../../transforms/combine.js';
import { Count } from '../../transforms/combiners/count.js';
import { Sum, sumFn } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { TextFile } from '../../transforms/io/text-file.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS, RUNNERS, runWith } from '../support/runners.js';
import { setSabotage, stagedRunner } from '../support/staged-runners.js';

/**
 * Design steps 3 and 4 (docs/design/scale-out.md §6): a pipeline run as its stages, one Engine per
 * instance, connected by exchange channels and watermark valves (StagedEngine, driven by the runners' own
 * loops), gives exactly what the whole graph gives, with one instance per stage and with three per keyed
 * stage: every captured record with its value, timestamp, window, pane, retraction flag and processing
 * time of emission (compared as multisets: only the order between keys and stages may change), and every
 * step's counters (summed over instances). Scenarios come from test/semantics/; a property adds random
 * pipelines over random TestStream scripts.
 */

type Probes = Record<string, Probe<unknown>>;
type Scenario = (p: Pipeline) => Probes;

/** A record as one sortable line (Maps and Sets included). */
const line = (r: unknown) => inspect(r, { depth: null, sorted: true, breakLength: Infinity, compact: true });

function outputs(probes: Probes): Record<string, string[]> {
  return Object.fromEntries(Object.entries(probes).map(([name, probe]) => [name, probe.records.map(line).sort()]));
}

const scenarios: Record<string, Scenario> = {
  'fixed windows with early (processing-time), on-time and late panes, and late records dropped': (p) => {
    const { out, late } = countPerKey(
      p,
      TestStream.create<string>()
        .addElements(['a', 100], ['a', 200])
        .advanceProcessingTime(1000)
        .addElements(['a', 1500], ['u1', 3500])
        .advanceWatermarkTo(3000)
        .addElements(['a', 2500])
        .addElements(['a', 2600])
        .advanceWatermarkTo(8000)
        .addElements(['a', 2700])
        .advanceWatermarkToInfinity(),
      Window.into<string>(FixedWindows(3000))
        .triggering(AfterWatermark().withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(1000)).withLateFirings(AfterCount(1)))
        .withAllowedLateness(5000)
        .discardingFiredPanes(),
    );
    return { out, late } as Probes;
  },

  'sessions with retractions, and the retractions summed after a second cut': (p) => {
    const counts = p
      .apply(
        TestStream.create<string>()
          .addElements(['a', 0], ['a', 1500], ['u1', 100])
          .advanceWatermarkTo(3000)
          .addElements(['a', 800])
          .advanceWatermarkTo(4000)
          .addElements(['a', 2000])
          .advanceWatermarkToInfinity(),
      )
      .apply(Window.into<string>(Sessions(1000)).triggering(AfterWatermark().withLateFirings(AfterCount(1))).withAllowedLateness(10_000).accumulatingAndRetractingFiredPanes())
      .apply(WithKeys((s: string) => s))
      .apply(Count.perKey());
    const total = counts.apply('Total', Combine.perKey<string, number, unknown, number>(sumFn() as never));
    return { counts: counts.apply('Counts', Capture.records()), total: total.apply('Totals', Capture.records()) } as Probes;
  },

  'a join (CoGroupByKey) of a TestStream and a Create, per window': (p) => {
    const orders = p
      .apply('Orders', TestStream.create<KV<string, number>>().addElements([kv('u1', 5), 100], [kv('u2', 7), 900]).advanceWatermarkTo(1000).addElements([kv('u1', 3), 1200]).advanceWatermarkToInfinity())
      .apply('OrdersW', Window.into<KV<string, number>>(FixedWindows(1000)));
    const users = p
      .apply('Users', Create.timestamped([{ value: kv('u1', 'ann'), timestamp: 50 }, { value: kv('u3', 'cid'), timestamp: 1500 }]))
      .apply('UsersW', Window.into<KV<string, string>>(FixedWindows(1000)));
    return { joined: p.apply('Join', CoGroupByKey({ orders, users })).apply('Joined', Capture.records()) } as Probes;
  },

  'a stateful DoFn buffering per key and window, flushed by an event-time timer': (p) => ({
    out: p
      .apply(
        TestStream.create<KV<string, number>>()
          .addElements([kv('a', 3), 100], [kv('u1', 1), 300], [kv('a', 1), 200], [kv('a', 7), 1500])
          .advanceWatermarkTo(999)
          .addElements([kv('a', 2), 900])
          .advanceWatermarkTo(1000)
          .addElements([kv('u1', 5), 1999])
          .advanceWatermarkToInfinity(),
      )
      .apply(Window.into(FixedWindows(1000)))
      .apply('Buffer', ParDo(bufferUntilWindowEnd))
      .apply(Capture.records()) as Probe<unknown>,
  }),

  'a stateful DoFn with processing-time timers': (p) => {
    const fn = statefulDoFn<KV<string, number>>()({
      state: { first: StateSpec.value<number>() },
      timers: { ping: TimerSpec.processingTime() },
      process(_e, ctx) {
        ctx.state.first.write(ctx.processingTime);
        ctx.timers.ping.offset(1300);
      },
      onTimer: {
        ping(ctx) {
          ctx.output(kv(ctx.key, { setAt: ctx.state.first.read()!, firedAt: ctx.processingTime }));
        },
      },
    });
    return {
      out: p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 0), 0]).advanceProcessingTime(1300).addElements([kv('u1', 0), 0]).advanceProcessingTime(1300).advanceProcessingTime(1400).advanceWatermarkToInfinity())
        .apply('Pings', ParDo(fn))
        .apply(Capture.records()) as Probe<unknown>,
    };
  },

  'a windowed side input made after a cut (a broadcast edge into a later stage)': (p) => {
    const view: PCollectionView<number> = View.asSingleton(
      p
        .apply('SideData', Create.timestamped([[10, 100], [20, 900], [5, 1100], [1, 3500]].map(([value, timestamp]) => ({ value: value!, timestamp: timestamp! }))))
        .apply('SideWindows', Window.into<number>(FixedWindows(1000)))
        .apply('Threshold', Sum.globally().withoutDefaults()),
      { defaultValue: 0 },
    );
    const withSide: DoFn<string, [string, number]> = {
      process(e, ctx) {
        ctx.output([e, ctx.sideInput(view)]);
      },
    };
    return {
      out: p
        .apply(TestStream.create<string>().addElements(['m1', 500], ['m2', 1999]).advanceWatermarkTo(2000).addElements(['m3', 2500], ['m4', 3000]).advanceWatermarkToInfinity())
        .apply(Window.into(FixedWindows(1000)))
        .apply('Join', ParDo(withSide).withSideInputs(view))
        .apply(Capture.records()) as Probe<unknown>,
    };
  },
};

async function both(options: (typeof RUNNER_CONFIGS)[number]['options'], scenario: Scenario, instances = 1) {
  const whole = await runWith({ ...options, quiet: true }, scenario);
  const staged = await runWith({ ...options, quiet: true, runner: stagedRunner(options.runner, instances) }, scenario);
  return { whole, staged };
}

/** Every step's counters (the staged run has no others: exchange reads are not steps). */
const counters = (r: PipelineResult) => r.metrics;

afterEach(() => setSabotage(undefined));

describe.each(RUNNER_CONFIGS.flatMap((c) => [1, 3].map((instances) => ({ ...c, instances }))))('a run as stages connected by channels equals the whole graph on $label, $instances instance(s) per keyed stage', ({ options, instances }) => {
  it.each(Object.keys(scenarios))('%s', async (name) => {
    // What crossed the cuts: the staged run must really have run as several stages (and instances) over channels.
    const crossed = { stages: 0, instances: 0, records: 0, statuses: 0, busy: 0 };
    setSabotage((e) => {
      crossed.stages = e.stages.length;
      crossed.instances = Math.max(...e.stages.map((s) => s.instances.length));
      for (const s of e.stages) {
        const fed = new Set<number>();
        s.instances.forEach((inst, i) => {
          for (const x of inst.exchangeReads) {
            for (const ch of x.channels) {
              const read = ch.read.bind(ch);
              ch.read = () => {
                const m = read();
                if (m?.kind === 'data') {
                  crossed.records += m.values.length;
                  fed.add(i);
                  crossed.busy = Math.max(crossed.busy, fed.size);
                }
                if (m?.kind === 'watermark') crossed.statuses++;
                return m;
              };
            }
          }
        });
      }
    });
    const { whole, staged } = await both(options, scenarios[name]!, instances);
    expect(crossed.stages).toBeGreaterThan(1);
    expect(crossed.instances).toBe(instances);
    // with several instances, records of different keys went to different instances (the side input scenario has one key, null)
    if (instances > 1 && !name.includes('side input')) expect(crossed.busy).toBeGreaterThan(1);
    expect(crossed.records).toBeGreaterThan(0);
    expect(crossed.statuses).toBeGreaterThan(0);
    const expected = outputs(whole.out);
    expect(Object.values(expected).some((l) => l.length > 0)).toBe(true);
    expect(outputs(staged.out)).toEqual(expected);
    expect(staged.result.state).toBe(whole.result.state);
    expect(counters(staged.result)).toEqual(counters(whole.result));
  });
});

describe.each(RUNNER_CONFIGS.filter((c) => c.label === 'native' || c.label === 'microbatch(1s)'))('the comparison fails when the exchange is broken on purpose, on $label', ({ options }) => {
  /** Breaks the exchange into the first keyed stage that has one: `how` rewrites each channel's writes. */
  const breakExchange = (how: { dropRecord?: boolean; dropWatermarks?: boolean }) =>
    setSabotage((e: StagedEngine) => {
      const s = e.stages.find((x) => x.instances[0]!.exchangeReads.length > 0)!;
      const ch = s.instances[0]!.exchangeReads[0]!.channels[0]!;
      const write = ch.write.bind(ch);
      const writeWatermark = ch.writeWatermark.bind(ch);
      let dropped = false;
      if (how.dropRecord) {
        ch.write = (values) => {
          if (dropped || values.length === 0) return write(values);
          dropped = true;
          return write(values.slice(1));
        };
      }
      // every status but the final one (+infinity) is lost: windows fire only at the end, all at once
      if (how.dropWatermarks) ch.writeWatermark = (status) => (status.watermark === TIMESTAMP_MAX ? writeWatermark(status) : undefined);
    });

  it('a dropped record changes the output', async () => {
    breakExchange({ dropRecord: true });
    const { whole, staged } = await both(options, scenarios['fixed windows with early (processing-time), on-time and late panes, and late records dropped']!);
    expect(outputs(staged.out)).not.toEqual(outputs(whole.out));
  });

  it('dropped watermarks change the output', async () => {
    breakExchange({ dropWatermarks: true });
    const { whole, staged } = await both(options, scenarios['fixed windows with early (processing-time), on-time and late panes, and late records dropped']!);
    expect(outputs(staged.out)).not.toEqual(outputs(whole.out));
  });
});

describe('random pipelines run as stages equal the whole graph', () => {
  type Op = { kind: 'map'; of: number } | { kind: 'keyed'; of: number; how: 'gbk' | 'combine' | 'stateful' } | { kind: 'flatten'; of: number[] } | { kind: 'side'; of: number; view: number };
  const op = (n: number): fc.Arbitrary<Op> => {
    const at = fc.nat({ max: n - 1 });
    return fc.oneof(
      at.map((of): Op => ({ kind: 'map', of })),
      fc.tuple(at, fc.constantFrom('gbk' as const, 'combine' as const, 'stateful' as const)).map(([of, how]): Op => ({ kind: 'keyed', of, how })),
      fc.array(at, { minLength: 1, maxLength: 3 }).map((of): Op => ({ kind: 'flatten', of })),
      fc.tuple(at, at).map(([of, view]): Op => ({ kind: 'side', of, view })),
    );
  };
  const program = fc.integer({ min: 1, max: 8 }).chain((len) => fc.tuple(...Array.from({ length: len }, (_, i) => op(i + 1))));
  /** A script: groups of (key, event time) elements, each followed by a watermark step. */
  const script = fc.array(fc.tuple(fc.array(fc.tuple(fc.nat({ max: 15 }), fc.nat({ max: 5000 })), { maxLength: 5 }), fc.nat({ max: 2000 })), { minLength: 1, maxLength: 4 });
  const counter = statefulDoFn<KV<number, number>>()({
    state: { n: StateSpec.value<number>() },
    process(e, ctx) {
      const n = (ctx.state.n.read() ?? 0) + 1;
      ctx.state.n.write(n);
      return kv(e.key, e.value * 100 + n);
    },
  });
  const build = (ops: Op[], steps: [[number, number][], number][]) => (p: Pipeline) => {
    let stream = TestStream.create<KV<number, number>>();
    let wm = 0;
    for (const [els, by] of steps) {
      if (els.length > 0) stream = stream.addElements(...els.map(([k, t]): [KV<number, number>, number] => [kv(k, t % 7), t]));
      wm += by;
      stream = stream.advanceWatermarkTo(wm);
    }
    const made: PCollection<KV<number, number>>[] = [p.apply('S0', stream.advanceWatermarkToInfinity()).apply('W0', Window.into<KV<number, number>>(FixedWindows(1000)))];
    // Whether records of a collection may come by more than one path (a Flatten of two inputs upstream): the order
    // between paths is not defined (a run as stages changes it), so an arrival-counting stateful step there would
    // number the same records differently; it is a Combine there instead (found: seed 130883104).
    const merged: boolean[] = [false];
    ops.forEach((o, j) => {
      merged.push(o.kind === 'flatten' ? new Set(o.of).size > 1 || o.of.some((i) => merged[i]) : merged[o.of]!);
      const name = `S${j + 1}`;
      switch (o.kind) {
        case 'map':
          made.push(made[o.of]!.apply(name, MapElements((e: KV<number, number>) => kv((e.key + 1) % 16, e.value))));
          break;
        case 'keyed':
          made.push(
            o.how === 'gbk'
              ? made[o.of]!.apply(name, GroupByKey<number, number>()).apply(`${name}Sum`, MapElements((g: KV<number, number[]>) => kv(g.key, g.value.reduce((a, b) => a + b, 0))))
              : o.how === 'combine' || merged[o.of]
                ? made[o.of]!.apply(name, Combine.perKey<number, number, unknown, number>(sumFn() as never))
                : made[o.of]!.apply(name, ParDo(counter)),
          );
          break;
        case 'flatten':
          made.push(p.apply(name, Flatten(...o.of.map((i) => made[i]!))));
          break;
        case 'side': {
          const view = View.asList(made[o.view]!);
          // What a main element sees of a side window that is ready but still growing depends on the order in
          // which records of different paths arrive, which a run as stages changes (see the design, §6 step 3):
          // the output depends on the view only through its readiness (the element waits for it).
          made.push(made[o.of]!.apply(name, ParDo<KV<number, number>, KV<number, number>>({ process: (e, ctx) => kv(e.key, ctx.sideInput(view) === undefined ? -1 : e.value) }).withSideInputs(view)));
          break;
        }
      }
    });
    return Object.fromEntries(made.map((pc, i) => [`P${i}`, pc.apply(`Probe${i}`, Capture.records())])) as Probes;
  };

  it.each(RUNNER_CONFIGS.filter((c) => c.label === 'native' || c.label === 'microbatch(1s)').flatMap((c) => [1, 3].map((instances) => ({ ...c, instances }))))('on $label, $instances instance(s) per keyed stage', async ({ options, instances }) => {
    // runs in which some stage's instances other than one got records (the keys spread)
    let spread = 0;
    setSabotage((e) => {
      let counted = false;
      for (const s of e.stages) {
        s.instances.forEach((inst, i) => {
          if (i === 0) return;
          for (const x of inst.exchangeReads) {
            for (const ch of x.channels) {
              const read = ch.read.bind(ch);
              ch.read = () => {
                const m = read();
                if (m?.kind === 'data' && !counted) {
                  counted = true;
                  spread++;
                }
                return m;
              };
            }
          }
        });
      }
    });
    await fc.assert(
      fc.asyncProperty(program, script, async (ops, steps) => {
        const { whole, staged } = await both(options, build(ops, steps), instances);
        expect(outputs(staged.out)).toEqual(outputs(whole.out));
        expect(counters(staged.result)).toEqual(counters(whole.result));
      }),
      { numRuns: 40 },
    );
    if (instances > 1) expect(spread).toBeGreaterThan(0);
  });
});

describe.each(RUNNER_CONFIGS)('--parallelism=3 gives what --parallelism=1 gives on $label', ({ options }) => {
  it.each(Object.keys(scenarios))('%s', async (name) => {
    const one = await runWith({ ...options, quiet: true }, scenarios[name]!);
    const three = await runWith({ ...options, quiet: true, parallelism: 3 }, scenarios[name]!);
    expect(outputs(three.out)).toEqual(outputs(one.out));
    expect(three.result.metrics).toEqual(one.result.metrics);
    // the run went through instances: a step of a keyed stage run by several reports the sum of their counters (a getter)
    const summed = Object.keys(three.result.metrics).filter((step) => Object.getOwnPropertyDescriptor(three.result.metrics, step)?.get !== undefined);
    if (!name.includes('side input')) expect(summed.length).toBeGreaterThan(0);
  });
});

describe.each(RUNNERS)('--parallelism=3 with a sink that holds a file (a DoFn with setup and teardown) on $label', ({ options }) => {
  it('runs the sink\'s stage as one instance and writes the same file as --parallelism=1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'staged-sink-'));
    const instancesOf: Record<string, number> = {};
    setSabotage((e) => {
      for (const s of e.stages) instancesOf[s.graph.stage.name] = s.instances.length;
    });
    const build = (path: string) => (p: Pipeline) => {
      const counts = p
        .apply('Words', Create.timestamped(['a', 'u1', 'u2', 'a', 'u3', 'u1'].map((w, i) => ({ value: w, timestamp: i * 100 }))))
        .apply(WithKeys((w: string) => w))
        .apply('Counts', Count.perKey<string>());
      counts.apply('Write', TextFile.write(path));
      counts.apply('Again', Count.perKey<string>()).apply('Probe', Capture.records());
      return {};
    };
    await runWith({ ...options, quiet: true }, build(join(dir, 'one.ndjson')));
    await runWith({ ...options, quiet: true, runner: stagedRunner(options.runner, 3) }, build(join(dir, 'three.ndjson')));
    const lines = (f: string) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').sort();
    expect(lines('three.ndjson')).toEqual(lines('one.ndjson'));
    expect(lines('one.ndjson')).toHaveLength(4);
    // the Counts stage holds the file sink: one instance; the second Count has no lifecycle DoFn: three
    expect(instancesOf).toEqual({ Words: 1, Counts: 1, Again: 3 });
  });
});
