// Sessions of user activity, with early, on-time and late results.
//
//   npm run example:run -- pipelines/examples/sessions.ts --runner=native
//   npm run example:run -- pipelines/examples/sessions.ts --runner=microbatch
//
// A session is a burst of one user's clicks with less than 10 minutes between two of them. Each
// session's click count is reported three ways:
// - EARLY: a speculative count, one minute (processing time) after a click arrives, before the
//   session can be known complete;
// - ON_TIME: once the watermark passes the session's end (no more clicks are expected for it);
// - LATE: again for every click that arrives after that, within the allowed lateness (30 minutes).
// A click later still is dropped from the counts, and reported on the counts' late-data output.
//
// The input is a TestStream (from watershed/testing): a script of arrivals, watermark moves and
// processing-time moves, so the early and late panes come out the same on every run and every runner.
// (A `Create` input is read completely before the watermark moves, so none of it would ever be late.)
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { AfterCount, AfterProcessingTime, AfterWatermark, Pipeline, Sessions, formatInstant, formatWindow, minutes, type KV, type LateRecord } from 'watershed/sdk';
import { Count, ParDo, Window, WithKeys } from 'watershed/transforms';
import { TestStream } from 'watershed/testing';

const nine = Date.UTC(2026, 0, 1, 9, 0); // event times: when each click happened
const at = (hhmm: string): number => nine + (Number(hhmm.slice(0, 2)) - 9) * 3_600_000 + Number(hhmm.slice(3)) * 60_000;

// The TestStream starts its (virtual) processing-time clock at 09:00 too.
const clicks = TestStream.create<string>({ startTime: nine })
  .addElements(['ann', at('09:00')], ['bob', at('09:01')])
  // The watermark follows the clicks. A watermark step also ends a micro-batch, so the micro-batch runner
  // sees the same arrivals between two firings as the native one (one batch could hold them all).
  .advanceWatermarkTo(at('09:01'))
  .advanceProcessingTime(minutes(1)) // a minute later: EARLY panes, ann 1 and bob 1
  .addElements(['ann', at('09:04')]) // ann's session grows to [09:00, 09:14)
  .advanceWatermarkTo(at('09:04'))
  .advanceProcessingTime(minutes(1)) // EARLY pane: ann 2
  .advanceWatermarkTo(at('09:20')) // both sessions are complete: ON_TIME panes
  .addElements(['bob', at('09:05')]) // bob's session [09:01, 09:11) already fired: a LATE pane, bob 2 (the session grows to [09:01, 09:15))
  .advanceWatermarkTo(at('10:00')) // past bob's session end plus 30 minutes of allowed lateness
  .addElements(['bob', at('09:06')]) // too late: dropped, and reported on the late-data output
  .advanceWatermarkToInfinity();

const p = Pipeline.create(process.argv.slice(2));
const counts = p
  .apply('Clicks', clicks)
  .apply(
    'Sessions',
    Window.into(Sessions(minutes(10)))
      .triggering(
        AfterWatermark() // ON_TIME when the watermark passes the session's end
          .withEarlyFirings(AfterProcessingTime.pastFirstElementInPane().plusDelayOf(minutes(1)))
          .withLateFirings(AfterCount(1)), // a LATE pane per late click
      )
      .withAllowedLateness(minutes(30))
      .accumulatingFiredPanes(), // each pane counts every click of the session so far
  )
  .apply('ByUser', WithKeys((user: string) => user))
  .apply('Count', Count.perKey<string>());

counts.apply(
  'Print',
  ParDo<KV<string, number>, never>({
    process(count, ctx) {
      console.log(`${count.key} ${formatWindow(ctx.window)} ${ctx.pane.timing} #${ctx.pane.index}: ${count.value}`);
    },
  }),
);
counts.lateData().apply(
  'PrintDropped',
  ParDo<LateRecord, never>({
    process(late) {
      console.log(`dropped ${JSON.stringify(late.value)} at ${formatInstant(late.timestamp)}: ${late.reason} (session ${late.window})`);
    },
  }),
);

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
