// Kafka in and out: clicks per user and minute, read from one topic and written to another.
//
//   npm run kafka:start    # once: a local broker on 127.0.0.1:19092
//   npm run example:run -- pipelines/examples/kafka-clicks.ts --runner=native
//   npm run example:run -- pipelines/examples/kafka-clicks.ts --runner=microbatch --brokers=127.0.0.1:19092
//
// Three short pipelines, one after the other:
// 1. writes a few clicks to the input topic (in real life another system does this);
// 2. the job: reads the input topic, counts each user's clicks per minute of event time, and writes
//    the counts to the output topic;
// 3. reads the output topic back and prints it.
// Each run uses new topics (the broker creates them on first use), so it can be run again and again;
// `--in` and `--out` name your own.
import { randomUUID } from 'node:crypto';
import 'watershed/runners'; // registers --runner=native and --runner=microbatch
import { FixedWindows, Pipeline, formatWindow, seconds, type FlagSpecs, type KV } from 'watershed/sdk';
import { Count, Create, ParDo, Window, WithKeys } from 'watershed/transforms';
import { KafkaIO } from 'watershed/io/kafka';

interface Click {
  readonly user: string;
  readonly page: string;
  /** When the click happened (epoch milliseconds): the event time. */
  readonly at: number;
}
interface UserMinute {
  readonly user: string;
  readonly minute: string;
  readonly clicks: number;
}

const FLAGS = {
  brokers: { type: 'string', value: '<host:port>', help: 'the Kafka brokers (default $KAFKA_BROKERS, else 127.0.0.1:19092)' },
  in: { type: 'string', value: '<topic>', help: 'the clicks topic (default: a new topic per run)' },
  out: { type: 'string', value: '<topic>', help: 'the counts topic (default: a new topic per run)' },
} as const satisfies FlagSpecs;

const argv = process.argv.slice(2);
const seed = Pipeline.create(argv, { flags: FLAGS }); // pipeline 1; every pipeline here reads the same flags
const { args } = seed.options;
const brokers = args.brokers ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
const run = randomUUID().slice(0, 8);
const inTopic = args.in ?? `example-clicks-${run}`;
const outTopic = args.out ?? `example-clicks-per-minute-${run}`;

// 1. Some clicks into the input topic, as JSON (KafkaIO.write's default), keyed by user.
const nine = Date.UTC(2026, 0, 1, 9, 0);
seed
  .apply(
    'Clicks',
    Create<object>([
      { user: 'ann', page: '/', at: nine + 5_000 },
      { user: 'bob', page: '/', at: nine + 20_000 },
      { user: 'ann', page: '/docs', at: nine + 59_999 },
      { user: 'ann', page: '/blog', at: nine + 60_000 },
      { user: 'eve', page: '/', at: 'yesterday' }, // no usable event time: a dead letter in step 2
    ]),
  )
  .apply('ToKafka', KafkaIO.write<object>({ brokers, topic: inTopic, key: (c) => (c as Click).user }));
await seed.run();

// 2. The job. `bounded: true` reads the topic up to the end offsets it finds at the start, then the
// run ends; without it the read follows the topic until the run is stopped (Ctrl-C).
const p = Pipeline.create(argv, { flags: FLAGS });
const clicks = p.apply(
  'FromKafka',
  KafkaIO.read<Click>({
    brokers,
    topics: inTopic,
    startAt: 'earliest',
    bounded: true,
    timestamp: (click) => click.at, // event time from the record's value, not the producer's clock
    watermark: { maxOutOfOrderness: seconds(5) }, // per partition: the newest event time minus 5 s
  }),
);
clicks
  .apply('PerMinute', Window.into(FixedWindows(seconds(60))))
  .apply('ByUser', WithKeys((click: Click) => click.user))
  .apply('Count', Count.perKey<string>())
  .apply(
    'WithMinute',
    ParDo<KV<string, number>, UserMinute>({
      process(count, ctx) {
        ctx.output({ user: count.key, minute: formatWindow(ctx.window), clicks: count.value });
      },
    }),
  )
  .apply('ToKafka', KafkaIO.write<UserMinute>({ brokers, topic: outTopic, key: (c) => c.user }));
// Records that cannot be read (not JSON, no usable event time) are dead letters, with topic, partition
// and offset: here they are printed; a real job would write them to a topic of their own.
clicks.deadLetters().apply(
  'PrintDeadLetters',
  ParDo({
    process(dead) {
      console.log(`dead letter (${dead.reason}): ${dead.message}`);
    },
  }),
);
const result = await p.run();
console.log(`job: ${result.state} on the ${result.runner} runner, ${inTopic} -> ${outTopic}`);

// 3. The counts, read back.
const check = Pipeline.create(argv, { flags: FLAGS });
check.apply('Counts', KafkaIO.read<UserMinute>({ brokers, topics: outTopic, startAt: 'earliest', bounded: true })).apply(
  'Print',
  ParDo({
    process(count) {
      console.log(`${count.user} ${count.minute}: ${count.clicks}`);
    },
  }),
);
await check.run();
