import { describe, expect, it } from 'vitest';
import { UserCodeError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { Window } from '../../transforms/window.js';
import { KeyBy, Keys, MapValues, Values, WithKeys } from '../../transforms/with-keys.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

interface Flow {
  readonly src: string;
  readonly bytes: number;
}
const flows: Flow[] = [
  { src: '10.0.0.1', bytes: 100 },
  { src: '10.0.0.2', bytes: 5 },
  { src: '10.0.0.1', bytes: 7 },
];

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('WithKeys / Keys / Values / MapValues on $label', ({ options }) => {
  it('WithKeys pairs each element with its key, keeping timestamp and window', async () => {
    const { out, result } = await runWith(options, (p) =>
      p
        .apply(Create.timestamped(flows.map((f, i) => ({ value: f, timestamp: i * 1000 }))))
        .apply(Window.into(FixedWindows(2000)))
        .apply('BySource', WithKeys((f: Flow) => f.src))
        .apply(Capture.records<KV<string, Flow>>()),
    );
    expect(out.records.map((r) => [r.value, r.timestamp, r.window])).toEqual([
      [kv('10.0.0.1', flows[0]), 0, intervalWindow(0, 2000)],
      [kv('10.0.0.2', flows[1]), 1000, intervalWindow(0, 2000)],
      [kv('10.0.0.1', flows[2]), 2000, intervalWindow(2000, 4000)],
    ]);
    expect(result.metrics['BySource']).toMatchObject({ elementsIn: 3, elementsOut: 3 });
  });

  it('KeyBy is WithKeys; keys may be numbers, objects or null', async () => {
    const { out } = await runWith(options, (p) => {
      const src = p.apply(Create(flows));
      return {
        num: src.apply('ByBytes', KeyBy((f: Flow) => f.bytes)).apply('N', Capture.records<KV<number, Flow>>()),
        obj: src.apply('ByObj', WithKeys((f: Flow) => ({ s: f.src }))).apply('O', Capture.records<KV<{ s: string }, Flow>>()),
        nul: src.apply('ByNull', WithKeys(() => null)).apply('Z', Capture.records<KV<null, Flow>>()),
      };
    });
    expect(out.num.values().map((e) => e.key)).toEqual([100, 5, 7]);
    expect(out.obj.values().map((e) => e.key)).toEqual([{ s: '10.0.0.1' }, { s: '10.0.0.2' }, { s: '10.0.0.1' }]);
    expect(out.nul.values()).toEqual(flows.map((f) => kv(null, f)));
  });

  it('Keys, Values and MapValues project keyed elements', async () => {
    const input = [kv('a', 1), kv('b', 2), kv('a', 3)];
    const { out } = await runWith(options, (p) => {
      const keyed = p.apply(Create(input));
      return {
        keys: keyed.apply(Keys<string, number>()).apply('K', Capture.records<string>()),
        values: keyed.apply(Values<string, number>()).apply('V', Capture.records<number>()),
        mapped: keyed.apply(MapValues((v: number, k: string) => `${k}=${v * 2}`)).apply('M', Capture.records<KV<string, string>>()),
      };
    });
    expect(out.keys.values()).toEqual(['a', 'b', 'a']);
    expect(out.values.values()).toEqual([1, 2, 3]);
    expect(out.mapped.values()).toEqual([kv('a', 'a=2'), kv('b', 'b=4'), kv('a', 'a=6')]);
  });

  it('a throwing key function fails the run naming the step and element', async () => {
    const err = await runWith(options, (p) =>
      p.apply(Create<Flow | null>([flows[0]!, null])).apply(
        'BySource',
        WithKeys((f: Flow | null) => f!.src),
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('BySource');
    expect((err as UserCodeError).element).toBe('null');
  });

  it('default step names are WithKeys, Keys, Values, MapValues', async () => {
    const p = Pipeline.create(options);
    const keyed = p.apply(Create([1])).apply(WithKeys((x: number) => x));
    keyed.apply(Keys());
    keyed.apply(Values());
    keyed.apply(MapValues((v: number) => v));
    expect(p.stepNames()).toEqual(['Create', 'WithKeys', 'Keys', 'Values', 'MapValues']);
  });
});
