// Requests counted per 10 seconds of processing time (when the pipeline sees them), whatever their event times.
//
//   npm run example:run -- pipelines/examples/processing-time-windows.ts --runner=native
//   npm run example:run -- pipelines/examples/processing-time-windows.ts --runner=microbatch
//
// Every request here happened at 08:00 (its event time: a replay of old logs, say), but they arrive over
// half a minute from 09:00. `ProcessingTimeWindows.tumbling(seconds(10))` stamps each request with the
// processing time at which the Window step sees it and windows it by that; a window's count comes out
// once processing time passes the window's end (the last one when the input ends). Nothing is late.
//
// The input is a TestStream (from watershed/testing), whose virtual clock scripts the arrivals, so the
// output is the same on every run. The native runner stamps each request with the clock when it arrives;
// the micro-batch runner with the processing time of its batch (the next 1 s boundary here), which keeps
// these requests in the same windows.
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { Pipeline, ProcessingTimeWindows, formatWindow, seconds, type KV } from 'watershed/sdk';
import { Count, ParDo, Window, WithKeys } from 'watershed/transforms';
import { TestStream } from 'watershed/testing';

const eight = Date.UTC(2026, 0, 1, 8, 0); // when every request happened
const nine = Date.UTC(2026, 0, 1, 9, 0); // when the pipeline starts seeing them (processing time)

const requests = TestStream.create<string>({ startTime: nine })
  .addElements(['ann', eight], ['bob', eight]) // seen at 09:00:00
  .advanceProcessingTimeBy(seconds(3))
  .addElements(['ann', eight]) // 09:00:03, same window
  .advanceProcessingTimeBy(seconds(9))
  .addElements(['ann', eight]) // 09:00:12: the next window; [09:00:00, 09:00:10) has fired by now
  .advanceProcessingTimeBy(seconds(13))
  .addElements(['bob', eight]); // 09:00:25; its window fires when the input ends

const p = Pipeline.create(process.argv.slice(2));
p.apply('Requests', requests)
  .apply('Per10s', Window.into<string>(ProcessingTimeWindows.tumbling(seconds(10))))
  .apply('ByUser', WithKeys((user: string) => user))
  .apply('Count', Count.perKey<string>())
  .apply(
    'Print',
    ParDo<KV<string, number>, never>({
      process(count, ctx) {
        console.log(`${count.key} ${formatWindow(ctx.window)} ${ctx.pane.timing}: ${count.value}`);
      },
    }),
  );

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
