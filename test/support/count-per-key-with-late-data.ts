import type { PCollection } from '../../sdk/pcollection.js';
import { Capture } from '../../sdk/testing/capture.js';
import type { WindowFn } from '../../sdk/windows/window-fn.js';
import { Count } from '../../transforms/combiners/count.js';
import { Window } from '../../transforms/window.js';
import { WithKeys } from '../../transforms/with-keys.js';

/**
 * The counting pipeline of the event-time edge-case tests: `input` windowed into `windowFn`, keyed by
 * the element itself and counted per key, with both the counts and the late data of the count
 * (elements it dropped as late) captured, as steps `Counts` and `Late`. Its steps are unnamed, so a
 * pipeline takes it once. Returns the captures, for `runWith`'s `out`.
 * @example
 * const { out } = await runWith(options, (p) => countPerKeyWithLateData(p.apply(stream()), FixedWindows(3000)));
 * expect(out.late.values()).toEqual([]); // nothing dropped as late
 * expect(out.counts.records.map((r) => `${r.window.id} ${r.value.key}=${r.value.value}`)).toEqual(['0:3000 a=2']);
 */
export function countPerKeyWithLateData(input: PCollection<string>, windowFn: WindowFn<unknown>) {
  const counts = input
    .apply(Window.into<string>(windowFn))
    .apply(WithKeys((s: string) => s))
    .apply(Count.perKey<string>());
  return { counts: counts.apply('Counts', Capture.records()), late: counts.lateData().apply('Late', Capture.records()) };
}
