// Page views per user and minute, from a file of JSON lines to a text file: the README's pipeline.
//
//   npm run example:run -- pipelines/examples/views-per-minute.ts --runner=native --input=pipelines/examples/data/views.ndjson
//   npm run example:run -- pipelines/examples/views-per-minute.ts --runner=microbatch --input=pipelines/examples/data/views.ndjson --output=counts.txt
//
// The output file is written under a hidden name and renamed onto --output only when the run succeeds.
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { AfterCount, AfterWatermark, FixedWindows, Pipeline, formatWindow, seconds, type KV } from 'watershed/sdk';
import { Count, ParDo, Window, WithKeys } from 'watershed/transforms';
import { TextFile } from 'watershed/io/text-file';

interface View {
  readonly user: string;
  readonly page: string;
  readonly at: number; // when the page was viewed (epoch ms): the event time
}

const p = Pipeline.create(process.argv.slice(2), { // --runner=microbatch --batchInterval=1s ...
  flags: { // the program's own flags
    input: { type: 'string', help: 'the page views, one JSON object per line' },
    output: { type: 'string', help: 'where the counts go' },
  },
});
p.apply('Views', TextFile.ndjson<View>(p.options.args.input ?? 'views.ndjson', { // what: the input
  timestamp: (view) => view.at,
  watermark: { maxOutOfOrderness: seconds(5) },
}))
  .apply('Minute', Window.into(FixedWindows(seconds(60))) // where: event-time windows
    .triggering(AfterWatermark() // when: on time, then once per late view
      .withLateFirings(AfterCount(1)))
    .withAllowedLateness(seconds(30))
    .accumulatingFiredPanes()) // how: a late pane counts the window's views so far
  .apply('ByUser', WithKeys((view: View) => view.user))
  .apply('Count', Count.perKey<string>())
  .apply('Format', ParDo<KV<string, number>, string>({
    process(count, ctx) {
      ctx.output(`${formatWindow(ctx.window)} ${ctx.pane.timing} ${count.key}: ${count.value}`);
    },
  }))
  .apply('Write', TextFile.write(p.options.args.output ?? 'views-per-minute.txt', (line: string) => line));
const result = await p.run(); // the run's state and per-step metrics
console.log(`${result.state} on the ${result.runner} runner`);
