import { describe, expect, it } from 'vitest';
import '../../runners/index.js';
import { MicroBatchRunner } from '../../runners/microbatch/microbatch-runner.js';
import { NativeRunner } from '../../runners/native/native-runner.js';
import { KeyedStateTable } from '../../runners/core/state/keyed-state-table.js';
import { InMemoryStateBackend, type StateSnapshot } from '../../runners/core/state/state-backend.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { decodeKey, encodeKey, kv, type KV } from '../../sdk/kv.js';
import type { PipelineOptions } from '../../sdk/options.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { StateSpec, TimerSpec } from '../../sdk/state.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sessions } from '../../sdk/windows/sessions.js';
import { SlidingWindows } from '../../sdk/windows/sliding-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { GroupByKey } from '../../transforms/group-by-key.js';
import { MapElements } from '../../transforms/map.js';
import { ParDo } from '../../transforms/par-do.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNERS } from '../support/runners.js';

interface Cell {
  n: number;
  tags: string[];
}

describe('KeyedStateTable', () => {
  it('stores values per key and namespace and counts entries', () => {
    const t = new KeyedStateTable<Cell>();
    expect(t.size()).toBe(0);
    t.set(encodeKey('a'), 'w1', { n: 1, tags: [] });
    t.set(encodeKey('a'), 'w2', { n: 2, tags: [] });
    t.set(encodeKey('b'), 'w1', { n: 3, tags: [] });
    expect(t.size()).toBe(3);
    expect(t.keyCount()).toBe(2);
    expect(t.get(encodeKey('a'), 'w2')?.n).toBe(2);
    expect(t.get(encodeKey('a'), 'w3')).toBeUndefined();
    expect([...t.namespaces(encodeKey('a'))!.keys()]).toEqual(['w1', 'w2']);
    t.delete(encodeKey('a'), 'w1');
    t.delete(encodeKey('a'), 'w2');
    t.delete(encodeKey('zz'), 'w1'); // unknown key: no-op
    expect(t.namespaces(encodeKey('a'))).toBeUndefined();
    expect(t.keyCount()).toBe(1);
    expect(t.size()).toBe(1);
  });

  it('snapshot/restore round trip; both are deep copies', () => {
    const t = new KeyedStateTable<Cell>();
    t.set(encodeKey('a'), 'w1', { n: 1, tags: ['x'] });
    t.set(encodeKey(7), 'w1', { n: 2, tags: [] });
    t.set(encodeKey('7'), 'w1', { n: 3, tags: [] });
    t.set(encodeKey({ ip: '10.0.0.1', port: 80 }), 'w2', { n: 4, tags: [] });
    const snap = t.snapshot();
    // mutating the table after the snapshot does not change the snapshot
    t.get(encodeKey('a'), 'w1')!.tags.push('y');
    t.delete(encodeKey(7), 'w1');
    const u = new KeyedStateTable<Cell>();
    u.set(encodeKey('stale'), 'w9', { n: 9, tags: [] });
    u.restore(snap);
    expect(u.get(encodeKey('stale'), 'w9')).toBeUndefined(); // restore replaces everything
    expect(u.size()).toBe(4);
    expect(u.get(encodeKey('a'), 'w1')).toEqual({ n: 1, tags: ['x'] });
    // the number 7 and the string "7" stay distinct keys
    expect(u.get(encodeKey(7), 'w1')?.n).toBe(2);
    expect(u.get(encodeKey('7'), 'w1')?.n).toBe(3);
    expect(u.get(encodeKey({ ip: '10.0.0.1', port: 80 }), 'w2')?.n).toBe(4);
    expect([...u.entries()].map(([k]) => decodeKey(k))).toEqual(['a', 7, '7', { ip: '10.0.0.1', port: 80 }]);
    // mutating the restored table does not change the snapshot it came from
    u.get(encodeKey('a'), 'w1')!.n = 100;
    expect(snap.find(([k]) => k === encodeKey('a'))![2].n).toBe(1);
  });
});

describe('KeyedStateTable agrees with a map of maps', () => {
  it('through one, a few and many namespaces per key and back (set, rename, delete)', () => {
    // A key goes from one namespace to a few (lists) to many (a map) and back: every read matches the model.
    const t = new KeyedStateTable<number>();
    const model = new Map<string, Map<string, number>>();
    const check = () => {
      for (const [k, m] of model) {
        expect(t.countOf(k)).toBe(m.size);
        expect([...t.namespaces(k)!.entries()].sort()).toEqual([...m.entries()].sort());
        for (const [ns, v] of m) expect(t.get(k, ns)).toBe(v);
        expect(t.get(k, 'absent')).toBeUndefined();
        expect(t.soleValue(k)).toBe(m.size === 1 ? [...m.values()][0] : undefined);
        const out: number[] = [];
        expect(t.valuesInto(k, out)).toBe(m.size);
        expect(out.slice(0, m.size).sort()).toEqual([...m.values()].sort());
      }
      expect(t.size()).toBe([...model.values()].reduce((a, m) => a + m.size, 0));
      expect(t.keyCount()).toBe(model.size);
      expect([...t.entries()].map(([k, ns, v]) => `${k}/${ns}=${v}`).sort()).toEqual([...model].flatMap(([k, m]) => [...m].map(([ns, v]) => `${k}/${ns}=${v}`)).sort());
    };
    const set = (k: string, ns: string, v: number) => {
      // What it replaced comes back (the window driver marks that state gone).
      expect(t.set(k, ns, v)).toBe(model.get(k)?.get(ns));
      if (!model.has(k)) model.set(k, new Map());
      model.get(k)!.set(ns, v);
    };
    const del = (k: string, ns: string) => {
      t.delete(k, ns);
      model.get(k)?.delete(ns);
      if (model.get(k)?.size === 0) model.delete(k);
    };
    const rename = (k: string, from: string, to: string) => {
      const m = model.get(k);
      expect(t.rename(k, from, to)).toBe(m?.has(from) && from !== to ? m.get(to) : undefined);
      if (m?.has(from) && from !== to) {
        m.set(to, m.get(from)!);
        m.delete(from);
      }
    };
    let v = 0;
    for (let n = 1; n <= 12; n++) {
      set('a', `w${n}`, ++v);
      set('b', `w${n % 3}`, ++v);
      check();
    }
    rename('a', 'w1', 'w99'); // to a new namespace
    rename('a', 'w2', 'w3'); // onto an existing one: it is replaced
    rename('a', 'nope', 'w4'); // nothing there: no change
    rename('b', 'w0', 'w5'); // a few: to a new namespace
    rename('b', 'w5', 'w1'); // a few: onto an existing one
    check();
    set('b', 'w0', ++v);
    set('b', 'w0', ++v); // a few: replaces its value
    set('a', 'w5', ++v); // many: replaces its value
    for (let n = 12; n >= 4; n--) {
      del('a', `w${n}`);
      check();
    }
    rename('a', 'w99', 'w3'); // a few: onto an existing one
    check();
    rename('a', 'w3', 'w7'); // one: renamed in place
    check();
    set('a', 'w7', ++v); // one: replaces its value
    check();
    del('a', 'w7');
    del('b', 'w0');
    del('b', 'w1');
    del('b', 'w2');
    check();
    expect(t.size()).toBe(0);
  });
});

describe('InMemoryStateBackend', () => {
  const fill = (b: InMemoryStateBackend) => {
    b.table<Cell>('Count', 'windows').set(encodeKey('a'), '0:1000', { n: 2, tags: [] });
    b.table<Cell>('Count', 'windows').set(encodeKey('b'), '0:1000', { n: 1, tags: [] });
    b.table<Cell>('Dedup', 'user').set(encodeKey(42), 'global', { n: 5, tags: ['t'] });
  };

  it('gives one table per step and name', () => {
    const b = new InMemoryStateBackend();
    expect(b.table('S', 'x')).toBe(b.table('S', 'x'));
    expect(b.table('S', 'x')).not.toBe(b.table('S', 'y'));
    expect(b.table('S', 'x')).not.toBe(b.table('T', 'x'));
    fill(b);
    expect(b.size()).toBe(3);
  });

  it('snapshot is versioned plain data that survives structured cloning and JSON', () => {
    const b = new InMemoryStateBackend();
    fill(b);
    const snap = b.snapshot();
    expect(snap.version).toBe(1);
    expect(Object.keys(snap.tables).sort()).toEqual(['Count#windows', 'Dedup#user']);
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(structuredClone(snap)).toEqual(snap);
  });

  it('round trip: restore into a backend whose tables already exist', () => {
    const a = new InMemoryStateBackend();
    fill(a);
    const snap = a.snapshot();
    const b = new InMemoryStateBackend();
    const count = b.table<Cell>('Count', 'windows');
    count.set(encodeKey('stale'), 'w', { n: 0, tags: [] });
    const other = b.table<Cell>('NotInSnapshot', 'user');
    other.set(encodeKey('x'), 'w', { n: 0, tags: [] });
    b.restore(snap);
    // the same table objects now hold the snapshot's entries; a table absent from the snapshot is emptied
    expect(b.table('Count', 'windows')).toBe(count);
    expect(count.get(encodeKey('stale'), 'w')).toBeUndefined();
    expect(count.get(encodeKey('a'), '0:1000')).toEqual({ n: 2, tags: [] });
    expect(other.size()).toBe(0);
    expect(b.table<Cell>('Dedup', 'user').get(encodeKey(42), 'global')).toEqual({ n: 5, tags: ['t'] });
    expect(b.size()).toBe(3);
    expect(b.snapshot()).toEqual({ version: 1, tables: { ...snap.tables, 'NotInSnapshot#user': [] } });
  });

  it('round trip: restore before the tables are created (operators are built after restore)', () => {
    const a = new InMemoryStateBackend();
    fill(a);
    const snap = a.snapshot();
    const b = new InMemoryStateBackend();
    b.restore(snap);
    const t = b.table<Cell>('Count', 'windows');
    expect(t.size()).toBe(2);
    expect(t.get(encodeKey('b'), '0:1000')).toEqual({ n: 1, tags: [] });
    expect(b.table<Cell>('Dedup', 'user').get(encodeKey(42), 'global')?.tags).toEqual(['t']);
    expect(b.table('Unknown', 'user').size()).toBe(0);
    expect(b.snapshot()).toEqual({ version: 1, tables: { ...snap.tables, 'Unknown#user': [] } });
    // the restored state is a copy: changing it leaves the snapshot alone
    t.get(encodeKey('b'), '0:1000')!.n = 99;
    expect(snap.tables['Count#windows']!.find(([k]) => k === encodeKey('b'))![2]).toEqual({ n: 1, tags: [] });
  });

  it('a snapshot taken right after a restore still holds the tables not created yet', () => {
    const a = new InMemoryStateBackend();
    fill(a);
    const snap = a.snapshot();
    const b = new InMemoryStateBackend();
    b.restore(snap);
    b.table('Count', 'windows'); // only one of the two tables is created in this run so far
    expect(b.snapshot()).toEqual(snap);
    expect(b.size()).toBe(3);
    const c = new InMemoryStateBackend();
    c.restore(b.snapshot());
    expect(c.table<Cell>('Dedup', 'user').get(encodeKey(42), 'global')).toEqual({ n: 5, tags: ['t'] });
  });

  it('rejects a snapshot of an unknown version and keeps its state', () => {
    const b = new InMemoryStateBackend();
    fill(b);
    const bad = { version: 2, tables: {} } as unknown as StateSnapshot;
    expect(() => b.restore(bad)).toThrow(/unsupported state snapshot version 2/);
    expect(b.size()).toBe(3);
  });
});

describe.each(RUNNERS)('state is released after a run on $label', ({ options }) => {
  async function run<T>(build: (p: Pipeline, backend: InMemoryStateBackend) => T) {
    const backend = new InMemoryStateBackend();
    const p = Pipeline.create(options as Partial<PipelineOptions>);
    const out = build(p, backend);
    const runner = p.options.runner === 'microbatch' ? new MicroBatchRunner() : new NativeRunner();
    const result = await runner.start(p.graph(), p.options, backend).done;
    return { out, result, backend };
  }

  const stream = () =>
    TestStream.create<string>()
      .addElements(['a', 100], ['b', 200], ['a', 1100])
      .advanceWatermarkTo(1000)
      .addElements(['a', 1200], ['b', 2500], ['a', 700]) // a@700 is late
      .advanceWatermarkTo(3000)
      .addElements(['b', 2600]) // late
      .advanceWatermarkToInfinity();

  it('a windowed Count.perKey leaves no state behind, and held some while running', async () => {
    let peak = 0;
    const { out, backend } = await run((p, backend) =>
      p
        .apply(stream())
        .apply(Window.into(FixedWindows(1000)))
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(
          'Observe',
          MapElements((e: KV<string, number>) => {
            peak = Math.max(peak, backend.table('Count.perKey', 'windows').size());
            return e;
          }),
        )
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.lines({ sorted: true })).toEqual([
      '[0,1000) ON_TIME #0 last {"key":"a","value":1}',
      '[0,1000) ON_TIME #0 last {"key":"b","value":1}',
      '[1000,2000) ON_TIME #0 last {"key":"a","value":2}',
      '[2000,3000) ON_TIME #0 last {"key":"b","value":1}',
    ]);
    expect(peak).toBeGreaterThan(0);
    expect(backend.table('Count.perKey', 'windows').size()).toBe(0);
    expect(backend.size()).toBe(0);
  });

  it('allowed lateness, late firings, sliding windows: no state left at the end', async () => {
    const { out, result, backend } = await run((p) =>
      p
        .apply(stream())
        .apply(
          Window.into<string>(SlidingWindows(2000, 1000))
            .triggering(AfterWatermark().withEarlyFirings(AfterCount(2)).withLateFirings(AfterCount(1)))
            .withAllowedLateness(1500)
            .accumulatingAndRetractingFiredPanes(),
        )
        .apply(WithKeys((s: string) => s))
        .apply(Count.perKey())
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.records.some((r) => r.pane.timing === 'LATE')).toBe(true);
    // a@700 and b@2600 are late but within the allowed lateness of all their windows
    expect(result.metrics['Count.perKey']?.lateDropped).toBe(0);
    expect(backend.size()).toBe(0);
  });

  it('sessions (merged windows) leave no state behind', async () => {
    const { out, backend } = await run((p) =>
      p
        .apply(stream())
        .apply(Window.into<string>(Sessions(500)).withAllowedLateness(5000))
        .apply(WithKeys((s: string) => s))
        .apply(GroupByKey<string, string>())
        .apply(MapElements((e: KV<string, string[]>) => kv(e.key, e.value.length)))
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.values().length).toBeGreaterThan(0);
    expect(backend.size()).toBe(0);
  });

  it('a stateful DoFn with timers leaves no state behind', async () => {
    const fn = statefulDoFn({
      state: { seen: StateSpec.bag<number>() },
      timers: { flush: TimerSpec.eventTime(), poke: TimerSpec.processingTime() },
      process(e: KV<string, string>, ctx) {
        ctx.state.seen.add(ctx.timestamp);
        ctx.timers.flush.set(ctx.window.maxTimestamp);
        ctx.timers.poke.offset(10_000_000); // never due: must not keep state alive
      },
      onTimer: {
        flush(ctx) {
          ctx.output(kv(ctx.key as string, ctx.state.seen.read().length));
        },
        poke() {},
      },
    });
    const { out, backend } = await run((p) =>
      p
        .apply(stream())
        .apply(Window.into(FixedWindows(1000)))
        .apply(WithKeys((s: string) => s))
        .apply('Buffer', ParDo(fn))
        .apply(Capture.records<KV<string, number>>()),
    );
    expect(out.values().length).toBeGreaterThan(0);
    expect(backend.table('Buffer', 'user').size()).toBe(0);
    expect(backend.size()).toBe(0);
  });
});
