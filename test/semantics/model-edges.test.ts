import { describe, expect, it } from 'vitest';
import { SourceError } from '../../sdk/errors.js';
import { kv, type KV } from '../../sdk/kv.js';
import { StateSpec } from '../../sdk/state.js';
import { statefulDoFn } from '../../sdk/dofn.js';
import { View } from '../../sdk/side-input.js';
import { Capture } from '../../sdk/testing/capture.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Sum } from '../../transforms/combiners/sum.js';
import { Create } from '../../transforms/create.js';
import { ParDo } from '../../transforms/par-do.js';
import { Read } from '../../transforms/read.js';
import { Window } from '../../transforms/window.js';
import { RUNNER_CONFIGS_WITH_PARALLELISM, runWith } from '../support/runners.js';

describe.each(RUNNER_CONFIGS_WITH_PARALLELISM)('model edges on $label', ({ options }) => {
  it('a side input fed by accumulating panes shows the latest pane, not every pane', async () => {
    const { out } = await runWith(options, (p) => {
      const side = p
        .apply('Side', Create.timestamped([1, 2, 3].map((v) => ({ value: v, timestamp: 100 }))))
        .apply('SideWindow', Window.into<number>(FixedWindows(1000)).triggering(AfterWatermark().withEarlyFirings(AfterCount(1))).accumulatingFiredPanes())
        .apply('SideSum', Sum.globally().withoutDefaults());
      const view = View.asSingleton(side);
      return p
        .apply(TestStream.create<string>().advanceWatermarkTo(500).addElements(['x', 200]).advanceWatermarkToInfinity())
        .apply('MainWindow', Window.into<string>(FixedWindows(1000)))
        .apply(
          'Read',
          ParDo<string, string>({
            process(e, ctx) {
              ctx.output(`${e}:${ctx.sideInput(view)}`);
            },
          }).withSideInputs(view),
        )
        .apply(Capture.records());
    });
    // whichever pane was latest when the main element ran, it is one number, never two
    expect(out.values()).toHaveLength(1);
    expect(out.values()[0]).toMatch(/^x:(1|3|6)$/);
  });

  it('a stateful DoFn drops elements whose window has expired, and counts them', async () => {
    const seen: string[] = [];
    const { result } = await runWith(options, (p) =>
      p
        .apply(TestStream.create<KV<string, number>>().addElements([kv('a', 1), 100]).advanceWatermarkTo(5000).addElements([kv('a', 2), 200]).advanceWatermarkToInfinity())
        .apply('Fixed', Window.into<KV<string, number>>(FixedWindows(1000)))
        .apply(
          'Remember',
          ParDo(
            statefulDoFn<KV<string, number>, never, { n: ReturnType<typeof StateSpec.value<number>> }>({
              state: { n: StateSpec.value<number>() },
              process(e, ctx) {
                ctx.state.n.write((ctx.state.n.read() ?? 0) + 1);
                seen.push(`${e.key}${e.value}`);
              },
            }),
          ),
        ),
    );
    expect(seen).toEqual(['a1']);
    expect(result.metrics['Remember']!.lateDropped).toBe(1);
  });

  it('a source that fails names its Read step', async () => {
    const err = await runWith(options, (p) =>
      p.apply(
        'Broken',
        Read<number>({
          name: 'broken',
          bounded: true,
          async open() {
            return {
              async poll() {
                throw new Error('disk on fire');
              },
              async close() {},
            };
          },
        }),
      ),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).step).toBe('Broken');
    expect((err as Error).message).toContain('disk on fire');
  });
});
