import { Observable, Subject, defer, from, range } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { ObservableOverflowError, ObservableSourceError } from '../../rx/errors.js';
import { RxIO } from '../../rx/rx-io.js';
import { UnresumableSourceError } from '../../sdk/errors.js';
import type { LateRecord } from '../../sdk/graph.js';
import { Capture } from '../../sdk/testing/capture.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import type { KV } from '../../sdk/kv.js';
import { RUNNER_CONFIGS, RUNNERS, runWith } from '../support/runners.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Click {
  readonly user: string;
  readonly at: number;
}
const click = (user: string, at: number): Click => ({ user, at });

/**
 * Out of order: with 5 s of allowed out-of-orderness, d@58s after c@61s is on time, but f@30s after
 * e@65s (watermark 60 s) is behind the watermark: the minute [0, 60 s) has fired, so f is late data.
 */
const OUT_OF_ORDER = [click('a', 1_000), click('b', 3_000), click('c', 61_000), click('d', 58_000), click('e', 65_000), click('f', 30_000), click('g', 62_000)];

function perMinute(p: Pipeline, clicks: Observable<Click>) {
  const counted = p
    .apply('Clicks', RxIO.read(clicks, { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: 5_000 } }))
    .apply('PerMinute', Window.into<Click>(FixedWindows(60_000)))
    .apply('All', WithKeys((_: Click) => 'all'))
    .apply('Count', Count.perKey<string>());
  return { counts: counted.apply('Counts', Capture.records<KV<string, number>>()), late: counted.lateData().apply('Late', Capture.records<LateRecord>()) };
}

describe.each(RUNNER_CONFIGS)('RxIO.read ($label)', ({ label, options }) => {
  it('reads an Observable with event times: out-of-order elements within the bound are on time, one behind the watermark is late data', async () => {
    const { out } = await runWith(options, (p) => perMinute(p, from(OUT_OF_ORDER)));
    expect(out.counts.lines()).toEqual(['[0,60000) ON_TIME #0 last {"key":"all","value":3}', '[60000,120000) ON_TIME #0 last {"key":"all","value":3}']);
    expect(out.late.values().map((l) => [(l.value as KV<string, Click>).value.user, l.timestamp, l.reason])).toEqual([['f', 30_000, 'past-allowed-lateness']]);
  });

  it('the same when the elements arrive one by one, later, from a Subject', async () => {
    const clicks = new Subject<Click>();
    // Fed once the run has subscribed (a Subject sends nothing to a subscriber that comes later).
    let subscribed = () => {};
    const opened = new Promise<void>((resolve) => (subscribed = resolve));
    const p = Pipeline.create(options);
    const out = perMinute(p, defer(() => (subscribed(), clicks)));
    const run = p.start();
    await opened;
    for (const c of OUT_OF_ORDER) {
      await new Promise((r) => setTimeout(r, 2));
      clicks.next(c);
    }
    clicks.complete();
    expect((await run.done).state).toBe('DONE');
    expect(out.counts.lines()).toEqual(['[0,60000) ON_TIME #0 last {"key":"all","value":3}', '[60000,120000) ON_TIME #0 last {"key":"all","value":3}']);
    expect(out.late.values().map((l) => (l.value as KV<string, Click>).value.user)).toEqual(['f']);
  });

  // Not with micro-batch `asap`: it starts a batch only when input arrives (it has no Spark "no-data
  // batches"), so there a quiet input's watermark moves with its next element or its end.
  it.runIf(label !== 'microbatch(asap)')('ingestion time (no timestamp): the watermark follows the clock, so a window fires while the Observable is quiet, before it completes', async () => {
    // Cold: sends its two words when the run subscribes, then stays quiet until told to complete.
    let complete = () => {};
    const words = new Observable<string>((s) => {
      s.next('a');
      s.next('a');
      complete = () => s.complete();
    });
    const p = Pipeline.create(options);
    const counts = p
      .apply('Words', RxIO.read(words))
      .apply('Windows', Window.into<string>(FixedWindows(200)))
      .apply('ByWord', WithKeys((w: string) => w))
      .apply('Count', Count.perKey<string>())
      .apply('Counts', Capture.records<KV<string, number>>());
    const run = p.start();
    // Nothing more arrives, and the Observable has not completed: only the clock moves the watermark.
    await vi.waitFor(() => expect(counts.values()).toEqual([{ key: 'a', value: 2 }]), { timeout: 10_000, interval: 20 });
    expect(counts.records[0]!.pane.timing).toBe('ON_TIME');
    complete();
    expect((await run.done).state).toBe('DONE');
    expect(counts.values()).toEqual([{ key: 'a', value: 2 }]);
  });

  it('one element dated 2099 does not move the watermark (nothing after it late); it is still read, and a second one confirms the jump', async () => {
    const Y2099 = Date.UTC(2099, 0, 1);
    const clicks = [click('a', 1_000), click('b', 3_000), click('x', Y2099), click('c', 61_000), click('d', 58_000), click('e', 65_000)];
    const { out } = await runWith(options, (p) => perMinute(p, from(clicks)));
    expect(out.late.values()).toEqual([]);
    expect(out.counts.lines()).toEqual([
      '[0,60000) ON_TIME #0 last {"key":"all","value":3}',
      '[60000,120000) ON_TIME #0 last {"key":"all","value":2}',
      `[${Y2099},${Y2099 + 60_000}) ON_TIME #0 last {"key":"all","value":1}`,
    ]);
    // Off (Infinity), or confirmed by a second element near it: from there on, the older elements are late.
    const off = await runWith(options, (p) => {
      const counted = p
        .apply('Clicks', RxIO.read(from(clicks), { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: 5_000, maxForwardJump: Infinity } }))
        .apply('PerMinute', Window.into<Click>(FixedWindows(60_000)))
        .apply('All', WithKeys((_: Click) => 'all'))
        .apply('Count', Count.perKey<string>());
      return { late: counted.lateData().apply('Late', Capture.records<LateRecord>()) };
    });
    expect(off.out.late.values().map((l) => (l.value as KV<string, Click>).value.user)).toEqual(['c', 'd', 'e']);
    const confirmed = await runWith(options, (p) => perMinute(p, from([...clicks.slice(0, 3), click('y', Y2099 + 1_000), ...clicks.slice(3)])));
    expect(confirmed.out.late.values().map((l) => (l.value as KV<string, Click>).value.user)).toEqual(['c', 'd', 'e']);
  });

  it('an element whose time cannot be read goes to the dead letters, with its index, and moves no watermark', async () => {
    const { out } = await runWith(options, (p) => {
      const read = p.apply('Clicks', RxIO.read(from([click('a', 1_000), click('x', Number.NaN), click('b', 2_000)]), { timestamp: (c) => c.at }));
      return { values: read.apply('Values', Capture.records<Click>()), dead: read.deadLetters().apply('Dead', Capture.records()) };
    });
    expect(out.values.values().map((c) => c.user)).toEqual(['a', 'b']);
    expect(out.dead.values()).toEqual([
      expect.objectContaining({ step: 'Clicks', reason: 'bad-timestamp', element: click('x', Number.NaN), origin: { source: 'Observable', index: 1 } }),
    ]);
  });

  it("the Observable's error fails the run with an ObservableSourceError naming the step, after what came before it", async () => {
    const failing = new Observable<Click>((s) => {
      s.next(click('a', 1_000));
      s.error(new Error('socket closed'));
    });
    let seen: Capture | undefined;
    const e = await runWith(options, (p) => {
      seen = p.apply('Clicks', RxIO.read(failing, { timestamp: (c) => c.at })).apply('Seen', Capture.records<Click>()) as never;
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ObservableSourceError);
    expect((e as ObservableSourceError).step).toBe('Clicks');
    expect((e as Error).message).toContain('socket closed');
    void seen;
  });

  it('an Observable that pushes more than maxBuffered ahead of the pipeline fails the run with an ObservableOverflowError', async () => {
    const e = await runWith(options, (p) => p.apply('Numbers', RxIO.read(range(0, 1_000), { maxBuffered: 10 })).apply('Seen', Capture.records<number>())).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ObservableOverflowError);
    expect(e).toMatchObject({ step: 'Numbers', maxBuffered: 10 });
  });
});

type Capture = ReturnType<typeof Capture.records<Click>>;

describe.each(RUNNERS)('RxIO.read and checkpoints ($label)', ({ options }) => {
  it('a run with checkpointDir refuses it before reading: an Observable cannot be rewound', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'watershed-rx-'));
    try {
      let subscribed = false;
      const clicks = new Observable<Click>(() => {
        subscribed = true;
      });
      const e = await runWith({ ...options, checkpointDir: dir, guarantee: 'at-least-once' }, (p) => p.apply('Clicks', RxIO.read(clicks)).apply('Seen', Capture.records<Click>())).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(UnresumableSourceError);
      expect((e as UnresumableSourceError).step).toBe('Clicks');
      expect((e as Error).message).toContain('cannot be rewound');
      expect(subscribed).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
