import { kv, type KV } from '../../sdk/kv.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { FlagSpecs } from '../../sdk/flags.js';
import type { Pipeline } from '../../sdk/pipeline.js';
import { seconds } from '../../sdk/time.js';
import { AfterCount } from '../../sdk/triggers/after-count.js';
import { AfterWatermark } from '../../sdk/triggers/after-watermark.js';
import { FixedWindows } from '../../sdk/windows/fixed-windows.js';
import { Count } from '../../transforms/combiners/count.js';
import { Top } from '../../transforms/combiners/top.js';
import { Generate } from '../../transforms/io/generate.js';
import { MapElements } from '../../transforms/map.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';

export interface PageView {
  readonly user: string;
  readonly page: string;
}

const START = Date.UTC(2026, 0, 1);

/** A deterministic page-view stream: `users` users, about `perSecond` views per event-time second, some up to 4 s out of order. */
export function generatedPageViews(count: number, users = 20, perSecond = 50) {
  return Generate.of<PageView>({
    count,
    element: (i) => ({ user: `user-${(i * 7919) % users}`, page: `/page/${(i * 31) % 9}` }),
    timestamp: (i) => START + Math.floor((i * 1000) / perSecond) - (i % 13 === 0 ? 4000 : 0),
    maxOutOfOrderness: seconds(2),
  });
}

/**
 * The example job's own command-line flags, declared once; a program passes them to
 * `Pipeline.create`, which parses them with the pipeline's flags under the same strict rules.
 *
 * @example
 * const p = Pipeline.create(process.argv.slice(2), { flags: WINDOWED_PAGE_VIEWS_FLAGS }); // --count 500 --runner microbatch
 * windowedPageViews(p, Number(p.options.args.count ?? 2000));
 */
export const WINDOWED_PAGE_VIEWS_FLAGS = {
  count: { type: 'string', value: 'N', help: 'page views to generate (default 2000)' },
} as const satisfies FlagSpecs;

/**
 * The example job: page views per user in 10 s windows, with one LATE pane per late record within
 * 5 s of allowed lateness, and the 3 busiest users of each window. `views` is the read (its
 * `deadLetters()`: generated views whose timestamp is not an instant).
 */
export function windowedPageViews(p: Pipeline, count: number): { views: PCollection<PageView>; perUser: PCollection<KV<string, number>>; busiest: PCollection<KV<string, number>[]> } {
  const views = p.apply('PageViews', generatedPageViews(count));
  const windowed = views.apply(
    'TenSecondWindows',
    Window.into(FixedWindows(seconds(10)))
      .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
      .withAllowedLateness(seconds(5))
      .accumulatingFiredPanes(),
  );
  const perUser = windowed.apply('ByUser', WithKeys((v: PageView) => v.user)).apply('CountPerUser', Count.perKey<string>());
  const busiest = perUser
    .apply('OnTimeOnly', Window.configure<KV<string, number>>().triggering(AfterWatermark()).discardingFiredPanes())
    .apply(
      'Busiest',
      Top.of<KV<string, number>>(3, (a, b) => a.value - b.value || (a.key < b.key ? 1 : -1)).globally().withoutDefaults(),
    );
  return { views, perUser, busiest: busiest.apply('AsList', MapElements((x: KV<string, number>[]) => x.map((e) => kv(e.key, e.value)))) };
}
