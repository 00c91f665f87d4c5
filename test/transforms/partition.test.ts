import { describe, expect, it } from 'vitest';
import { UserCodeError } from '../../sdk/errors.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { intervalWindow } from '../../sdk/window.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Create } from '../../transforms/create.js';
import { Partition } from '../../transforms/partition.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe('Partition construction', () => {
  it('rejects n < 1 or a fractional n', () => {
    expect(() => Partition(0, () => 0)).toThrow(RangeError);
    expect(() => Partition(2.5, () => 0)).toThrow('Partition needs n >= 1, got 2.5');
  });

  it('returns n PCollections', () => {
    const p = Pipeline.create();
    const parts = p.apply(Create([1])).apply(Partition(4, (x: number) => x % 4));
    expect(parts).toHaveLength(4);
    expect(new Set(parts.map((x) => x.name)).size).toBe(4);
  });
});

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('Partition on $label', ({ options }) => {
  it('sends each element to the partition fn chooses, keeping order, timestamp and window', async () => {
    const { out, result } = await runWith(options, (p) => {
      const parts = p
        .apply(Create.timestamped([0, 1, 2, 3, 4, 5, 6].map((v) => ({ value: v, timestamp: v * 500 }))))
        .apply(Window.into(FixedWindows(1000)))
        .apply('Mod3', Partition(3, (x: number, n) => x % n));
      return parts.map((pc, i) => pc.apply(`P${i}`, Capture.records<number>()));
    });
    expect(out.map((probe) => probe.values())).toEqual([
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    expect(out[1]!.records.map((r) => [r.timestamp, r.window])).toEqual([
      [500, intervalWindow(0, 1000)],
      [2000, intervalWindow(2000, 3000)],
    ]);
    expect(result.metrics['Mod3']).toMatchObject({ elementsIn: 7, elementsOut: 7 });
  });

  it('Partition(1) passes everything through', async () => {
    const { out } = await runWith(options, (p) => p.apply(Create(['a', 'b'])).apply(Partition(1, () => 0))[0]!.apply(Capture.records<string>()));
    expect(out.values()).toEqual(['a', 'b']);
  });

  it('an index outside [0, n) fails the run naming the step and the element', async () => {
    const err = await runWith(options, (p) => {
      const parts = p.apply(Create([1, 7])).apply('Split', Partition(2, (x: number) => (x > 5 ? 2 : 0)));
      parts[0]!.apply(Capture.records());
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UserCodeError);
    expect((err as UserCodeError).step).toBe('Split');
    expect((err as UserCodeError).element).toBe('7');
    expect((err as Error).message).toContain('partition function returned 2, expected a whole number in [0, 2)');
  });
});
