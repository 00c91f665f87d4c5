// Clicks from an RxJS Observable, counted per user and minute; the counts, the late clicks and the
// run's progress come back as Observables.
//
//   npm run example:run -- pipelines/examples/rx-clicks.ts --runner=native
//   npm run example:run -- pipelines/examples/rx-clicks.ts --runner=microbatch
//
// `RxIO.read(clicks$, ...)` makes the Observable the pipeline's input: event time from each click, a
// watermark 5 seconds behind the newest click. A click older than that arrives behind the watermark:
// once its minute has fired it is late data, on `lateData()`. The Observable completing ends the input.
import { filter, from, last } from 'rxjs';
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { FixedWindows, Pipeline, formatInstant, formatWindow, seconds, type LateRecord } from 'watershed/sdk';
import { Count, Window, WithKeys } from 'watershed/transforms';
import { RxIO, observeRun } from 'watershed/rx';

interface Click {
  readonly user: string;
  readonly page: string;
  readonly at: number; // when the click happened (ms since the epoch)
}

const nine = Date.UTC(2026, 0, 1, 9, 0);
// In an application this is the Observable you already have (a socket, fromEvent, a message bus...).
const clicks$ = from<Click[]>([
  { user: 'ann', page: '/', at: nine + 1_000 },
  { user: 'bob', page: '/', at: nine + 3_000 },
  { user: 'ann', page: '/health', at: nine + 4_000 }, // filtered out below, with an rxjs operator
  { user: 'ann', page: '/docs', at: nine + 61_000 },
  { user: 'bob', page: '/docs', at: nine + 58_000 }, // out of order, but within 5 s: on time
  { user: 'ann', page: '/blog', at: nine + 65_000 }, // the watermark passes 09:01: the first minute fires
  { user: 'bob', page: '/blog', at: nine + 30_000 }, // its minute has fired: late
  { user: 'cid', page: '/', at: nine + 62_000 },
]).pipe(filter((c) => c.page !== '/health'));

const watch = observeRun(); // the run's progress and per-step metrics, as Observables
const p = Pipeline.create(process.argv.slice(2), { observers: [watch] });

const counts = p
  .apply('Clicks', RxIO.read(clicks$, { timestamp: (c) => c.at, watermark: { maxOutOfOrderness: seconds(5) } }))
  .apply('PerMinute', Window.into<Click>(FixedWindows(seconds(60))))
  .apply('ByUser', WithKeys((c: Click) => c.user))
  .apply('Count', Count.perKey<string>());

// Hot Observables: subscribe before the run starts. They complete when the run ends, and send an
// error if it fails (so give an error handler: the run's own error comes from p.run()).
const onError = () => {};
counts.apply('Out', RxIO.toObservable()).records$.subscribe({
  next: ({ value, window, pane }) => console.log(`${value.key} ${formatWindow(window)} ${pane.timing}: ${value.value}`),
  error: onError,
});
counts.lateData().apply('Late', RxIO.toObservable<LateRecord>()).values$.subscribe({
  next: (late) => console.log(`late: a click at ${formatInstant(late.timestamp)} for ${late.window} (${late.reason})`),
  error: onError,
});
watch.progress$.pipe(last()).subscribe({
  next: (s) => console.log(`read ${s.recordsIn} clicks, ${s.lateDropped} late, ${s.deadLettered} unreadable`),
  error: onError,
});

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
