// A user's check of late data: a TestStream scripts arrivals and the watermark, Capture keeps every pane.
import 'watershed/runners';
import { AfterCount, AfterWatermark, FixedWindows, Pipeline, seconds } from 'watershed/sdk';
import { Count, Window } from 'watershed/transforms';
import { Capture, TestStream } from 'watershed/testing';

const p = Pipeline.create(process.argv.slice(2));
const clicks = TestStream.create<string>()
  .addElements(['ann', 1_000], ['bob', 2_000])
  .advanceWatermarkTo(60_000) // the minute [0, 60 s) fires ON_TIME with 2 clicks
  .addElements(['cid', 30_000]) // arrives after its window fired: a LATE pane, within the allowed lateness
  .advanceWatermarkToInfinity();
const panes = p
  .apply('Clicks', clicks)
  .apply('PerMinute', Window.into(FixedWindows(seconds(60)))
    .triggering(AfterWatermark().withLateFirings(AfterCount(1)))
    .withAllowedLateness(seconds(30))
    .accumulatingFiredPanes())
  .apply('Count', Count.globally().withoutDefaults())
  .apply('Panes', Capture.records<number>());
await p.run();
for (const line of panes.lines()) console.log(line);
