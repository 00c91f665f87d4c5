import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { Pipeline, FixedWindows, formatWindow, seconds } from 'watershed/sdk';
import { Count, Create, ParDo, Window, WithKeys } from 'watershed/transforms';
import { TextFile } from 'watershed/io/text-file';

interface Click {
  readonly user: string;
  readonly page: string;
}
interface UserMinute {
  readonly window: string;
  readonly user: string;
  readonly clicks: number;
}

const nine = Date.UTC(2026, 0, 1, 9, 0); // event times: when each click happened
const clicks = [
  { value: { user: 'ann', page: '/' }, timestamp: nine + 5_000 },
  { value: { user: 'bob', page: '/' }, timestamp: nine + 20_000 },
  { value: { user: 'ann', page: '/docs' }, timestamp: nine + 59_999 },
  { value: { user: 'ann', page: '/blog' }, timestamp: nine + 60_000 },
];

const p = Pipeline.create(process.argv.slice(2), {
  flags: { output: { type: 'string', help: 'where the counts go, one JSON object per line' } },
});
p.apply('Clicks', Create.timestamped<Click>(clicks))
  .apply('PerMinute', Window.into(FixedWindows(seconds(60))))
  .apply('ByUser', WithKeys((c: Click) => c.user))
  .apply('Count', Count.perKey<string>())
  .apply('WithWindow', ParDo({ // the output type is what process returns: one UserMinute per count
    process(count, ctx): UserMinute {
      return { window: formatWindow(ctx.window), user: count.key, clicks: count.value };
    },
  }))
  .apply('Write', TextFile.write(p.options.args.output ?? 'clicks-per-minute.ndjson'));

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
