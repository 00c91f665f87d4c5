import { firstValueFrom, from, lastValueFrom, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RunEndedError } from '../../rx/errors.js';
import { observeRun } from '../../rx/run-observables.js';
import { RxIO } from '../../rx/rx-io.js';
import { UserCodeError } from '../../sdk/errors.js';
import type { LateRecord } from '../../sdk/graph.js';
import type { KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { isIntervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS } from '../support/runners.js';

interface Click {
  readonly user: string;
  readonly at: number;
}
const click = (user: string, at: number): Click => ({ user, at });
// f@30s comes after e@65s moved the watermark to 60 s: late data for the minute [0, 60 s).
const CLICKS = [click('ann', 1_000), click('bob', 3_000), click('ann', 61_000), click('bob', 58_000), click('ann', 65_000), click('bob', 30_000), click('cid', 62_000)];

/** The step that drops late data (Count.perKey is one primitive, named as applied). */
const LATE_STEP = 'Count';

/** Everything an Observable sends, or the error it ends with. */
function settle<T>(o: Observable<T>): Promise<{ values: T[]; error?: unknown }> {
  const values: T[] = [];
  return new Promise((resolve) => o.subscribe({ next: (v) => values.push(v), error: (error: unknown) => resolve({ values, error }), complete: () => resolve({ values }) }));
}

function clicksPerUserMinute(p: Pipeline) {
  return p
    .apply('Clicks', RxIO.read(from(CLICKS), { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: 5_000 } }))
    .apply('PerMinute', Window.into<Click>(FixedWindows(60_000)))
    .apply('ByUser', WithKeys((c: Click) => c.user))
    .apply('Count', Count.perKey<string>());
}

describe.each(RUNNER_CONFIGS)('outputs as Observables ($label)', ({ options }) => {
  it('a PCollection, its late data and the run (progress, per-step metrics, end) as Observables that complete with the run', async () => {
    const watch = observeRun({ sampleEveryMs: 1 });
    const p = Pipeline.create({ ...options, observers: [watch] });
    const counts = clicksPerUserMinute(p);
    const out = counts.apply('Out', RxIO.toObservable<KV<string, number>>());
    const late = counts.lateData().apply('Late', RxIO.toObservable<LateRecord>());
    const [values, records, lateValues, progress, metrics] = [settle(out.values$), settle(out.records$), settle(late.values$), settle(watch.progress$), settle(watch.metrics$)];
    const result = await p.run();

    const lines = (await values).values.map((c) => `${c.key}=${c.value}`).sort();
    expect(await values).not.toHaveProperty('error');
    expect(lines).toEqual(['ann=1', 'ann=2', 'bob=2', 'cid=1']);
    expect((await records).values.map((r) => `${isIntervalWindow(r.window) ? r.window.start : '?'} ${r.pane.timing} ${r.value.key}=${r.value.value}`).sort()).toEqual([
      '0 ON_TIME ann=1',
      '0 ON_TIME bob=2',
      '60000 ON_TIME ann=2',
      '60000 ON_TIME cid=1',
    ]);
    expect((await lateValues).values.map((l) => [(l.value as KV<string, Click>).value, l.reason])).toEqual([[click('bob', 30_000), 'past-allowed-lateness']]);

    const last = (await progress).values.at(-1)!;
    expect(await progress).not.toHaveProperty('error');
    expect(last).toMatchObject({ recordsIn: 7, lateDropped: 1, shareDone: 1 });
    const stepsAtEnd = (await metrics).values.at(-1)!;
    expect(stepsAtEnd['Clicks']).toMatchObject({ elementsIn: 7, done: true });
    expect(Object.values(stepsAtEnd).filter((s) => s.lateDropped > 0).map((s) => [s.step, s.lateDropped])).toEqual([[LATE_STEP, 1]]);
    const end = await firstValueFrom(watch.end$);
    expect(end).toMatchObject({ state: 'DONE', result: { state: result.state } });
    expect((await firstValueFrom(watch.started$)).runId).toBe(result.runId);
  });

  it('when the run fails, its Observables send a RunEndedError (a stream cut short never looks complete), and end$ says FAILED', async () => {
    const watch = observeRun();
    const p = Pipeline.create({ ...options, observers: [watch] });
    const out = clicksPerUserMinute(p)
      .apply('Explode', MapElements((c: KV<string, number>) => {
        if (c.key === 'cid') throw new Error('no cid here');
        return c;
      }))
      .apply('Out', RxIO.toObservable<KV<string, number>>());
    const [values, progress] = [settle(out.values$), settle(watch.progress$)];
    await expect(p.run()).rejects.toBeInstanceOf(UserCodeError);
    expect((await values).error).toBeInstanceOf(RunEndedError);
    expect((await values).error).toMatchObject({ step: 'Out', outcome: 'failed' });
    expect((await progress).error).toMatchObject({ step: undefined, outcome: 'failed' });
    expect((await lastValueFrom(watch.end$)).state).toBe('FAILED');
  });
});

describe('observeRun and RxIO.toObservable are for one run', () => {
  it('a second run with the same observer is refused by its started(), and the observer dropped', async () => {
    const watch = observeRun();
    expect(() => watch.started({ runner: 'native', startedAt: 0, graph: [], virtualClock: false })).not.toThrow();
    expect(() => watch.started({ runner: 'native', startedAt: 0, graph: [], virtualClock: false })).toThrow(/one run only/);
  });

  it('applying one RxIO.toObservable() twice is a construction error', () => {
    const p = Pipeline.create({});
    const c = p.apply('Clicks', RxIO.read(from(CLICKS)));
    const out = RxIO.toObservable<Click>();
    c.apply('A', out);
    expect(() => c.apply('B', out)).toThrow(/already applied/);
  });
});
