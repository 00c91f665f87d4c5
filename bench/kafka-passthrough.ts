/**
 * `npm run bench:kafka`: Read → Map → Write pass-through of small JSON records through a local Kafka
 * broker, side by side with a plain kafkajs consume-and-produce loop doing the same work (parse,
 * add a field, serialize, produce with an idempotent acks=all producer), each contender in its own
 * process, reading the same input topic and writing its own output topic.
 *
 * Contenders: `plain` (the kafkajs loop), `plain@platformatic` (the same loop with @platformatic/kafka's
 * MessagesStream and producer), and pipelines `<runner>[(<batchInterval>)][@<client>[/<producer>]]`:
 * `native` uses the default client (@platformatic/kafka consumer, wire producer); `<runner>@<client>[/<producer>]`
 * names another: `native@kafkajs` the kafkajs consumer with the wire producer, `native@platformatic/platformatic`
 * @platformatic/kafka for both, `native@kafkajs/platformatic` the kafkajs consumer with the platformatic producer.
 *
 * Flags: --records=N (default 1,000,000), --quick (200,000), --rounds=N (default 1; each round runs
 * every contender once, the best time per contender is kept), --only=plain,native,microbatch(asap),...
 * Uses KAFKA_BROKERS when set; otherwise starts a broker with scripts/kafka-start.sh (and stops it
 * afterwards, unless it was already running).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { Consumer, MessagesStreamModes, Producer } from '@platformatic/kafka';
import '../runners/index.js';
import { ensureBroker } from './kafka-broker.js';
import { parseCommandLine } from '../sdk/command-line.js';
import { Pipeline } from '../sdk/pipeline.js';
import { createKafkaClientFactory } from '../transforms/io/kafka/default-client.js';
import { createKafkajsClientFactory } from '../transforms/io/kafka/kafkajs-client.js';
import { KafkaIO, type KafkaClientName, type KafkaProducerImplementation } from '../transforms/io/kafka/index.js';
import { Filter } from '../transforms/filter.js';
import { MapElements } from '../transforms/map.js';

interface In {
  id: number;
  user: string;
  amount: number;
}
interface Out extends In {
  cents: number;
}
/** The Map both contenders apply. */
const enrich = (e: In): Out => ({ ...e, cents: e.amount * 100 });

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    records: { type: 'string', value: 'N', help: 'records (default 1,000,000)' },
    quick: { type: 'boolean', help: '200,000 records' },
    rounds: { type: 'string', value: 'N', help: 'rounds, each running every contender once; the best per contender is kept (default 1)' },
    only: { type: 'string', value: 'consume,consume@kafkajs,native:read,plain,native,microbatch(asap),...', help: 'the contenders' },
    // a contender's own process (set by the parent)
    child: { type: 'string', hidden: true },
    brokers: { type: 'string', hidden: true },
    input: { type: 'string', hidden: true },
    output: { type: 'string', hidden: true },
  },
  { program: 'bench:kafka', usage: 'npm run bench:kafka -- [flags]' },
);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The consumer's own rate issue #14 asks for on the local broker, in records per second. */
const CONSUMER_TARGET = 300_000;

/** Contenders that only read (no output topic): the consumer on its own, and KafkaIO.read alone. */
const isConsumerOnly = (contender: string): boolean => /^consume(@\w+)?$|:read$/.test(contender);

interface Result {
  contender: string;
  records: number;
  seconds: number;
  rate: number;
  /** CPU time of the contender's process (user + system) per message, in microseconds. */
  cpuMicrosPerMsg: number;
}

// ---------------------------------------------------------------------------------------------
// child: one contender
// ---------------------------------------------------------------------------------------------

async function plainLoop(brokers: string, input: string, output: string, records: number, concurrency: number): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-plain', brokers: brokers.split(','), logLevel: logLevel.NOTHING }); // transient 'coordinator loading' errors on a fresh broker are retried
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `bench-plain-${randomUUID()}`, maxWaitTimeInMs: 500 });
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [input], fromBeginning: true });
  let seen = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: concurrency,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const messages = batch.messages.map((m) => ({ value: JSON.stringify(enrich(JSON.parse(m.value!.toString('utf8')) as In)) }));
      await producer.send({ topic: output, messages, acks: -1 });
      resolveOffset(batch.lastOffset());
      await heartbeat();
      seen += messages.length;
      if (seen >= records) finish();
    },
  });
  await finished;
  await consumer.disconnect();
  await producer.disconnect();
}

/** The plain loop with @platformatic/kafka: its MessagesStream, and its idempotent producer in sends of up to 5,000. */
async function plainPlatformaticLoop(brokers: string, input: string, output: string, records: number): Promise<void> {
  const base = { clientId: 'bench-plain-platformatic', bootstrapBrokers: brokers.split(',') };
  const producer = new Producer({ ...base, idempotent: true });
  const consumer = new Consumer({ ...base, groupId: `bench-plain-platformatic-${randomUUID()}`, maxWaitTime: 500, autocommit: false });
  const stream = await consumer.consume({ topics: [input], mode: MessagesStreamModes.EARLIEST });
  let seen = 0;
  let pending: Array<{ topic: string; value: Buffer }> = [];
  for await (const m of stream) {
    pending.push({ topic: output, value: Buffer.from(JSON.stringify(enrich(JSON.parse(m.value.toString('utf8')) as In))) });
    if (pending.length >= 5_000 || seen + pending.length >= records) {
      await producer.send({ messages: pending });
      seen += pending.length;
      pending = [];
      if (seen >= records) break;
    }
  }
  await stream.close();
  await consumer.close(true);
  await producer.close(true);
}

/**
 * The consumer alone through the client interface: connects a consumer of `client`'s library, assigns
 * every partition of `input` from the earliest offset, counts the records of each batch (nothing is
 * parsed or produced) and disconnects once `records` were seen. Returns the number seen.
 */
async function consumeOnly(brokers: string, input: string, records: number, client: KafkaClientName): Promise<number> {
  const kafka = createKafkaClientFactory({ brokers, client, clientId: `bench-consume-${client}`, logLevel: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(input)).map((o) => ({ topic: input, partition: o.partition, startOffset: 'earliest' as const }));
  await admin.disconnect();
  const consumer = kafka.consumer({ maxWaitTimeMs: 500 });
  let seen = 0;
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  await consumer.connect();
  await consumer.assign(partitions);
  await consumer.run(
    async (batch) => {
      seen += batch.messages.length;
      if (seen >= records) finish();
    },
    { onError: fail }, // one partition in the handler at a time, as KafkaIO.read runs it
  );
  await finished;
  await consumer.disconnect();
  return seen;
}

/** `KafkaIO.read` alone (bounded, from the earliest offsets) into a step that counts and drops every record. Returns the count. */
async function readOnly(brokers: string, input: string, argv: string[]): Promise<number> {
  let seen = 0;
  const p = Pipeline.create(argv);
  p.apply('Read', KafkaIO.read<In>({ brokers, topics: input, startAt: 'earliest', bounded: true })).apply(
    'Drop',
    Filter(() => {
      seen++;
      return false;
    }),
  );
  await p.run();
  return seen;
}

async function pipeline(brokers: string, input: string, output: string, argv: string[], client?: KafkaClientName, producer?: KafkaProducerImplementation): Promise<void> {
  const p = Pipeline.create(argv);
  const via = { ...(client ? { client } : {}), ...(producer ? { producer } : {}) };
  p.apply('Read', KafkaIO.read<In>({ brokers, ...via, topics: input, startAt: 'earliest', bounded: true }))
    .apply('Enrich', MapElements(enrich))
    .apply('Write', KafkaIO.write<Out>({ brokers, ...via, topic: output }));
  await p.run();
}

async function child(): Promise<void> {
  const contender = args.child!;
  const brokers = args.brokers!;
  const records = Number(args.records);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let read = records;
  if (/^consume(@\w+)?$/.test(contender)) {
    const client = (contender.split('@')[1] ?? 'platformatic') as KafkaClientName;
    if (client !== 'platformatic' && client !== 'kafkajs') throw new Error(`unknown contender '${contender}' (expected consume or consume@kafkajs)`);
    read = await consumeOnly(brokers, args.input!, records, client);
  }
  else if (contender.endsWith(':read')) {
    const runner = contender.slice(0, -':read'.length);
    read = await readOnly(brokers, args.input!, [`--runner=${runner}`]);
  }
  else if (contender === 'plain@platformatic') {
    await plainPlatformaticLoop(brokers, args.input!, args.output!, records);
  }
  else if (contender.startsWith('plain')) {
    const concurrency = Number(/^plain(?:\(c(\d+)\))?$/.exec(contender)?.[1] ?? 1);
    await plainLoop(brokers, args.input!, args.output!, records, concurrency);
  }
  else {
    const match = /^(\w+)(?:\((\w+)\))?(?:@(kafkajs|platformatic)(?:\/(wire|kafkajs|platformatic))?)?$/.exec(contender);
    if (!match) throw new Error(`unknown contender '${contender}' (expected plain, plain@platformatic or <runner>[(<interval>)][@<client>[/<producer>]])`);
    const [, runner, interval, client, producer] = match;
    const argv = [`--runner=${runner}`, ...(interval ? [`--batchInterval=${interval}`] : [])];
    await pipeline(brokers, args.input!, args.output!, argv, client as KafkaClientName | undefined, producer as KafkaProducerImplementation | undefined);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const result: Result = { contender, records: read, seconds, rate: read / seconds, cpuMicrosPerMsg: (cpu.user + cpu.system) / read };
  console.log(JSON.stringify(result));
}

// ---------------------------------------------------------------------------------------------
// parent: broker, input, contenders, table
// ---------------------------------------------------------------------------------------------

async function fill(brokers: string, topic: string, records: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'bench-fill', brokers: brokers.split(','), logLevel: logLevel.NOTHING }); // transient 'coordinator loading' errors on a fresh broker are retried
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const t0 = performance.now();
  const BATCH = 5_000; // kafkajs groups a send per partition in O(n²): moderate sends are faster
  for (let i = 0; i < records; i += BATCH) {
    const messages = [];
    for (let j = i; j < Math.min(records, i + BATCH); j++) messages.push({ value: JSON.stringify({ id: j, user: `u${j % 1000}`, amount: j % 100 }) });
    await producer.send({ topic, messages, acks: -1 });
  }
  await producer.disconnect();
  return (performance.now() - t0) / 1000;
}

async function parent(): Promise<void> {
  const quick = args.quick === true;
  const records = Number(args.records ?? (quick ? 200_000 : 1_000_000));
  const rounds = Number(args.rounds ?? 1);
  const contenders = (
    args.only ??
    'consume,consume@kafkajs,native:read,plain,plain@platformatic,native,native@kafkajs,native@platformatic/platformatic,microbatch(asap),microbatch(asap)@kafkajs,microbatch(asap)@platformatic/platformatic,microbatch(1s)'
  ).split(',');
  const broker = ensureBroker();
  const admin = createKafkajsClientFactory({ brokers: broker.brokers, logLevel: 'error' }).admin();
  const topics: string[] = [];
  try {
    await admin.connect();
    const input = `bench-in-${randomUUID()}`;
    topics.push(input);
    await admin.createTopics([{ topic: input, partitions: 3 }]);
    const fillSeconds = await fill(broker.brokers, input, records);
    console.log(
      `Kafka pass-through Read → Map → Write, ${records.toLocaleString()} JSON records (~45 B) over 3 partitions, broker ${broker.brokers}` +
        ` (input written in ${fillSeconds.toFixed(1)} s), one process per contender, ${rounds} round(s), best of rounds\n`,
    );
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const script = fileURLToPath(import.meta.url);
    const best = new globalThis.Map<string, Result>();
    for (let round = 0; round < rounds; round++) {
      for (const contender of contenders) {
        const output = `bench-out-${randomUUID()}`;
        if (!isConsumerOnly(contender)) {
          topics.push(output);
          await admin.createTopics([{ topic: output, partitions: 3 }]);
        }
        const out = execFileSync(
          tsx,
          [script, `--child=${contender}`, `--brokers=${broker.brokers}`, `--input=${input}`, `--output=${output}`, `--records=${records}`],
          { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const r = JSON.parse(out.trim().split('\n').pop()!) as Result;
        if (isConsumerOnly(contender)) {
          // a consumer may hand over a whole last batch past the count; fewer means records were lost
          if (r.records < records) throw new Error(`${contender} read ${r.records} records, expected ${records}`);
        } else {
          const written = (await admin.fetchTopicOffsets(output)).reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
          if (written !== records) throw new Error(`${contender} wrote ${written} records, expected ${records}`);
        }
        process.stderr.write(
          `round ${round + 1}: ${contender.padEnd(28)} ${(r.rate / 1000).toFixed(1)} k msg/s (${r.seconds.toFixed(2)} s, ${r.cpuMicrosPerMsg.toFixed(1)} µs CPU/msg)\n`,
        );
        const prev = best.get(contender);
        if (!prev || r.rate > prev.rate) best.set(contender, r);
      }
      // this round's output topics are no longer needed
      await admin.deleteTopics(topics.splice(1));
    }
    const plain = best.get('plain');
    console.log(`contender                      msg/s        seconds   node CPU/msg   vs plain kafkajs loop   vs consumer target (${CONSUMER_TARGET / 1000} k/s)`);
    for (const c of contenders) {
      const r = best.get(c)!;
      const consumerOnly = isConsumerOnly(c);
      const ratio = plain && !consumerOnly ? `${(r.rate / plain.rate).toFixed(2)}x` : '-';
      const target = consumerOnly ? `${(r.rate / CONSUMER_TARGET).toFixed(2)}x ${r.rate >= CONSUMER_TARGET ? '(met)' : '(below)'}` : '-';
      console.log(
        `${c.padEnd(29)} ${(r.rate / 1000).toFixed(1).padStart(8)} k   ${r.seconds.toFixed(2).padStart(7)}   ${r.cpuMicrosPerMsg.toFixed(1).padStart(7)} µs   ${ratio.padStart(12)}            ${target}`,
      );
    }
    console.log('\nconsume, consume@<library>: the consumer alone through the client interface (records counted, not parsed);');
    console.log('<runner>:read: KafkaIO.read alone (JSON values deserialized) into a step that drops them. Times include connecting.');
  } finally {
    await admin.deleteTopics(topics).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    broker.stop();
  }
}

await (args.child ? child() : parent());
