import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../pipelines/netflow/prng.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { TIMESTAMP_MIN } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Create } from '../../transforms/create.js';
import { Flatten } from '../../transforms/flatten.js';
import { Window, WithTimestamps } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

function shuffle<T>(xs: readonly T[], seed: number): T[] {
  const out = xs.slice();
  const r = mulberry32(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Reference sessionization: per key, sorted times split where the next time is >= previous end. */
function referenceSessions(events: readonly [string, number][], gap: number): string[] {
  const byKey = new globalThis.Map<string, number[]>();
  for (const [k, t] of events) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(t);
  const lines: string[] = [];
  for (const [k, ts] of byKey) {
    ts.sort((a, b) => a - b);
    let start = ts[0]!;
    let end = start + gap;
    let n = 0;
    for (const t of ts) {
      if (t >= end) {
        lines.push(`[${start},${end}) ON_TIME #0 last ${JSON.stringify(kv(k, n))}`);
        start = t;
        end = t + gap;
        n = 0;
      }
      n++;
      end = Math.max(end, t + gap);
    }
    lines.push(`[${start},${end}) ON_TIME #0 last ${JSON.stringify(kv(k, n))}`);
  }
  return lines.sort();
}

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('windowing on $label', ({ options }) => {
  // fixed windows with an offset, sliding windows and session merges (early and late panes): see
  // windowing-scenarios.test.ts (scenarios shared with the capability matrix).

  it('sessions with accumulatingAndRetracting: a late merge retracts both emitted sessions', async () => {
    const { out } = await runWith(options, (p) =>
      p
        .apply(
          TestStream.create<string>()
            .addElements(['a', 0], ['a', 1500])
            .advanceWatermarkTo(3000)
            .addElements(['a', 800])
            .advanceWatermarkTo(4000)
            .addElements(['a', 2000]) // late again, inside the merged session
            .advanceWatermarkToInfinity(),
        )
        .apply(
          Window.into<string>(Sessions(1000))
            .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
            .withAllowedLateness(10_000)
            .accumulatingAndRetractingFiredPanes(),
        )
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records()),
    );
    const lines = out.lines();
    expect(lines.slice(0, 2).sort()).toEqual(['[0,1000) ON_TIME #0 {"key":"a","value":1}', '[1500,2500) ON_TIME #0 {"key":"a","value":1}']);
    expect(lines.slice(2, 4).sort()).toEqual(['-[0,1000) LATE #1 {"key":"a","value":1}', '-[1500,2500) LATE #1 {"key":"a","value":1}']);
    expect(lines.slice(4)).toEqual([
      '[0,2500) LATE #1 {"key":"a","value":3}',
      // [2000,3000) extends the merged session: its old pane is withdrawn under its old window
      '-[0,2500) LATE #2 {"key":"a","value":3}',
      '[0,3000) LATE #2 {"key":"a","value":4}',
    ]);
    // retractions carry the timestamps of the panes they withdraw
    const retracted = out.records.filter((r) => r.retraction).map((r) => r.timestamp).sort((a, b) => a - b);
    expect(retracted).toEqual([999, 2499, 2499]);
  });

  // custom WindowFns (non-merging and merging): see custom-window-scenarios.test.ts

  it('WithTimestamps assigns event time from the element', async () => {
    interface Ev {
      readonly user: string;
      readonly at: number;
    }
    const events: Ev[] = [
      { user: 'u1', at: 100 },
      { user: 'u1', at: 2100 },
      { user: 'u2', at: 1999 },
      { user: 'u1', at: 2999 },
    ];
    let stamped!: ReturnType<typeof Capture.records<Ev>>;
    const { out } = await runWith(options, (p) => {
      const timed = p.apply(Create(events)).apply(WithTimestamps((e: Ev) => e.at));
      stamped = timed.apply('Stamped', Capture.records<Ev>());
      return timed
        .apply(Window.into(FixedWindows(2000)))
        .apply(WithKeys((e: Ev) => e.user))
        .apply(Count.perKey())
        .apply(Capture.records());
    });
    expect(stamped.records.map((r) => [r.value.at, r.timestamp])).toEqual(events.map((e) => [e.at, e.at]));
    expect(stamped.records.every((r) => r.timestamp !== TIMESTAMP_MIN)).toBe(true);
    expect(out.lines({ sorted: true })).toEqual([
      '[0,2000) ON_TIME #0 last {"key":"u1","value":1}',
      '[0,2000) ON_TIME #0 last {"key":"u2","value":1}',
      '[2000,4000) ON_TIME #0 last {"key":"u1","value":2}',
    ]);
  });

  it('results do not depend on arrival order (3 seeded shuffles, sessions, fixed and sliding windows)', async () => {
    const r = mulberry32(42);
    const events: [string, number][] = [];
    for (let i = 0; i < 40; i++) events.push([`k${Math.floor(r() * 3)}`, Math.floor(r() * 20_000)]);
    const expectedSessions = referenceSessions(events, 1500);
    const results: string[][][] = [];
    for (const seed of [1, 2, 3]) {
      const order = shuffle(events, seed);
      expect(order).not.toEqual(events);
      let stream = TestStream.create<string>();
      for (let i = 0; i < order.length; i += 7) stream = stream.addElements(...order.slice(i, i + 7));
      const { out } = await runWith(options, (p) => {
        const keyed = p.apply(stream.advanceWatermarkToInfinity()).apply(WithKeys((s: string) => s));
        return {
          sessions: keyed.apply('S', Window.into<KV<string, string>>(Sessions(1500))).apply('CountS', Count.perKey()).apply('ProbeS', Capture.records()),
          fixed: keyed.apply('F', Window.into<KV<string, string>>(FixedWindows(4000))).apply('CountF', Count.perKey()).apply('ProbeF', Capture.records()),
          sliding: keyed
            .apply('W', Window.into<KV<string, string>>(SlidingWindows(6000, 2000)))
            .apply('CountW', Count.perKey())
            .apply('ProbeW', Capture.records()),
        };
      });
      expect(out.sessions.lines({ sorted: true })).toEqual(expectedSessions);
      results.push([out.sessions.lines({ sorted: true }), out.fixed.lines({ sorted: true }), out.sliding.lines({ sorted: true })]);
    }
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
    // sanity: the fixed-window counts add up to the input size, the sliding ones to 3x it
    const total = (ls: string[]) => ls.reduce((a, l) => a + (JSON.parse(l.slice(l.indexOf('{'))) as KV<string, number>).value, 0);
    expect(total(results[0]![1]!)).toBe(40);
    expect(total(results[0]![2]!)).toBe(120);
  });

  it('Flatten of a TestStream and a Create.timestamped input: the watermark is the minimum of both', async () => {
    const { out, result } = await runWith(options, (p) => {
      const live = p.apply(
        'Live',
        TestStream.create<string>()
          .addElements(['a', 100])
          .advanceWatermarkTo(10_000) // far ahead of the other input's data
          .addElements(['a', 10_500])
          .advanceWatermarkToInfinity(),
      );
      const backfill = p.apply('Backfill', Create.timestamped([{ value: 'a', timestamp: 500 }, { value: 'b', timestamp: 900 }, { value: 'a', timestamp: 1500 }]));
      return p
        .apply(Flatten(live, backfill))
        .apply(Window.into(FixedWindows(1000)))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records());
    });
    // nothing of the bounded input is late: its watermark stayed at -inf until it was fully read
    expect(result.metrics['Count.perKey']?.lateDropped).toBe(0);
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":2}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":1}',
      '[10000,11000) ON_TIME #0 last {"key":"a","value":1}',
    ]);
  });
});
