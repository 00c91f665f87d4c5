// A stateful DoFn with a timer: a spending alert per customer and hour.
//
//   npm run example:run -- pipelines/examples/stateful-timers.ts --runner=native
//   npm run example:run -- pipelines/examples/stateful-timers.ts --runner=microbatch
//
// A stateful DoFn keeps state per key and window: here, per customer and hour, the running total of
// the purchases and whether an alert was already sent. Two kinds of output:
// - at once, from `process`: an ALERT the moment a customer's purchases in the hour exceed the limit
//   (once per hour, however much more they buy);
// - later, from a timer: a SUMMARY of the hour, when an event-time timer set to the end of the window
//   fires, i.e. when the watermark says the hour is complete.
// The runner keeps the state with the rest of the pipeline's (checkpoints included) and clears it when
// the window expires.
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { FixedWindows, Pipeline, StateSpec, TimerSpec, formatInstant, formatWindow, hours, kv, statefulDoFn, type KV } from 'watershed/sdk';
import { Create, MapElements, ParDo, Window, sumFn } from 'watershed/transforms';

interface Purchase {
  readonly customer: string;
  readonly amount: number;
}

const LIMIT = 100;

const nine = Date.UTC(2026, 0, 1, 9, 0); // event times: when each purchase happened
const purchases = [
  { value: { customer: 'ann', amount: 40 }, timestamp: nine + 5 * 60_000 },
  { value: { customer: 'bob', amount: 15 }, timestamp: nine + 7 * 60_000 },
  { value: { customer: 'ann', amount: 70 }, timestamp: nine + 20 * 60_000 }, // ann: 110 > 100, ALERT
  { value: { customer: 'ann', amount: 30 }, timestamp: nine + 45 * 60_000 }, // no second alert this hour
  { value: { customer: 'ann', amount: 20 }, timestamp: nine + 65 * 60_000 }, // a new hour starts from 0
];

// `statefulDoFn<I>()({...})`: the input type (key-value pairs) is named in the first call; the second
// infers the state and timer declarations, so `ctx.state` and `ctx.timers` are typed, and the output
// type from what `process` and the timer yield (here strings). `process` and `onTimer` are generators
// (`*`): each `yield` is one output, with what `ctx.output` would give it (the element's timestamp and
// window; the timer's time and window). A DoFn that calls `ctx.output` instead names the output type
// too, `statefulDoFn<I, O>()({...})`: TypeScript cannot infer it from those calls.
const spendingAlerts = statefulDoFn<KV<string, number>>()({
  state: {
    total: StateSpec.combining(sumFn()), // a running sum
    alerted: StateSpec.value<boolean>(), // one plain value
  },
  timers: { endOfWindow: TimerSpec.eventTime() },
  *process(purchase, ctx) {
    ctx.state.total.add(purchase.value);
    // Setting a timer again only moves it: one summary per customer and hour.
    ctx.timers.endOfWindow.set(ctx.window.maxTimestamp);
    if (ctx.state.total.read() > LIMIT && !ctx.state.alerted.read()) {
      ctx.state.alerted.write(true);
      yield `ALERT ${purchase.key} spent ${ctx.state.total.read()} by ${formatInstant(ctx.timestamp)}`;
    }
  },
  onTimer: {
    // Called once the watermark passes the timer's time, with the state of the timer's key and window
    // (ctx.key is a string: the key type of the input, KV<string, number>).
    *endOfWindow(ctx) {
      yield `SUMMARY ${ctx.key} ${formatWindow(ctx.window)}: ${ctx.state.total.read()} spent, alert ${ctx.state.alerted.read() ? 'sent' : 'not needed'}`;
    },
  },
});

const p = Pipeline.create(process.argv.slice(2));
p.apply('Purchases', Create.timestamped<Purchase>(purchases))
  .apply('Hourly', Window.into(FixedWindows(hours(1))))
  // A stateful DoFn takes key-value pairs: its state is per key (and window).
  .apply('ByCustomer', MapElements((purchase: Purchase) => kv(purchase.customer, purchase.amount)))
  .apply('Alerts', ParDo(spendingAlerts))
  .apply(
    'Print',
    ParDo<string, never>({
      process(line) {
        console.log(line);
      },
    }),
  );

const result = await p.run();
console.log(`${result.state} on the ${result.runner} runner`);
