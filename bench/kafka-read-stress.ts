/**
 * `npm run stress:kafka-read`: reads one filled Kafka topic again and again with a bounded
 * `KafkaIO.read` and checks every offset of every partition was handed out exactly once, in order
 * (bench/kafka-read-check.ts). Not a benchmark: it looks for lost, doubled or reordered records and
 * for reads that hang, under backpressure (a small `bufferSize` pauses and resumes the partitions
 * all the time) and random poll sizes and pauses.
 *
 * Flags: --records=N (default 1,000,000), --partitions=N (default 3), --runs=N (default 10),
 * --client=platformatic,kafkajs (default platformatic), --via=reader,native,microbatch (default
 * reader,native), --bufferSize=500,10000 (default), --seed=N (default: from the clock),
 * --topic=NAME (read an existing topic instead of filling a new one), --timeout=SECONDS per read
 * (default 300). Each run reads once per combination of client, via and bufferSize. Exits 1 if any
 * read was not exact. Uses KAFKA_BROKERS when set; otherwise starts the repo's broker.
 *
 * @example
 * ```sh
 * KAFKA_BROKERS=127.0.0.1:19092 npm run stress:kafka-read -- --runs=10 --bufferSize=500
 * ```
 */
import { randomUUID } from 'node:crypto';
import '../runners/index.js';
import { parseCommandLine } from '../sdk/command-line.js';
import type { KafkaClientName } from '../transforms/io/kafka/default-client.js';
import { ensureBroker } from './kafka-broker.js';
import { fillTopic, readAndCheck, type ReadVia } from './kafka-read-check.js';

const { values: args } = parseCommandLine(
  process.argv.slice(2),
  {
    records: { type: 'string', value: 'N', help: 'records to fill the topic with (default 1,000,000)' },
    partitions: { type: 'string', value: 'N', help: 'partitions of the topic (default 3)' },
    runs: { type: 'string', value: 'N', help: 'runs (default 10)' },
    client: { type: 'string', value: 'platformatic,kafkajs', help: 'consumer libraries (default platformatic)' },
    via: { type: 'string', value: 'reader,native,microbatch', help: 'how to read (default reader,native)' },
    bufferSize: { type: 'string', value: 'N,...', help: "the read's bufferSize values (default 500,10000)" },
    seed: { type: 'string', value: 'N', help: 'seed of the random poll sizes and pauses (default: from the clock)' },
    topic: { type: 'string', value: 'NAME', help: 'read this existing topic instead of filling a new one' },
    timeout: { type: 'string', value: 'SECONDS', help: 'give up on a read after this long (default 300)' },
  },
  { program: 'stress:kafka-read', usage: 'npm run stress:kafka-read -- [flags]' },
);

const list = (v: string | undefined, fallback: string): string[] => (v ?? fallback).split(',').map((s) => s.trim()).filter((s) => s !== '');

async function main(): Promise<number> {
  const records = Number(args.records ?? 1_000_000);
  const partitions = Number(args.partitions ?? 3);
  const runs = Number(args.runs ?? 10);
  const clients = list(args.client, 'platformatic') as KafkaClientName[];
  const vias = list(args.via, 'reader,native') as ReadVia[];
  const sizes = list(args.bufferSize, '500,10000').map(Number);
  const seed0 = Number(args.seed ?? Date.now() % 1_000_000);
  const timeoutMs = Number(args.timeout ?? 300) * 1000;
  const broker = ensureBroker();
  try {
    let topic = args.topic;
    if (topic === undefined) {
      topic = `stress-${randomUUID()}`;
      const t0 = performance.now();
      await fillTopic(broker.brokers, topic, partitions, records);
      process.stderr.write(`filled ${topic}: ${records.toLocaleString()} records over ${partitions} partitions in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    }
    let bad = 0;
    let reads = 0;
    let lost = 0;
    for (let run = 0; run < runs; run++) {
      for (const client of clients) {
        for (const via of vias) {
          for (const bufferSize of sizes) {
            const seed = seed0 + reads++;
            const r = await readAndCheck({ brokers: broker.brokers, topic, client, via, bufferSize, seed, timeoutMs });
            const worst = r.partitions.filter((p) => p.lost + p.duplicates + p.outOfOrder > 0);
            lost += r.partitions.reduce((n, p) => n + p.lost, 0);
            if (!r.exact) bad++;
            console.log(
              `run ${run + 1} ${client.padEnd(12)} ${via.padEnd(10)} bufferSize ${String(bufferSize).padStart(6)} seed ${seed}: ` +
                `${r.exact ? 'EXACT' : 'NOT EXACT'} ${r.records.toLocaleString()} records in ${r.seconds.toFixed(1)} s, ${r.pauses} pauses` +
                (r.error ? ` — ${r.error}` : '') +
                (worst.length > 0 ? ` — ${JSON.stringify(worst)}` : ''),
            );
          }
        }
      }
    }
    console.log(`${reads} reads, ${bad} not exact, ${lost.toLocaleString()} records lost in all`);
    return bad === 0 ? 0 : 1;
  } finally {
    broker.stop();
  }
}

// A read that hung still holds its consumer open: exit without waiting for it.
process.exit(await main());
