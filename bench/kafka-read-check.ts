/**
 * Reads a filled Kafka topic to its end with a bounded `KafkaIO.read` and checks that every offset
 * of every partition was handed out exactly once, in offset order: the check behind
 * `npm run stress:kafka-read` (bench/kafka-read-stress.ts) and test/kafka/kafka-read-stress.test.ts.
 *
 * The topic must hold plain records only (no transactions, no compaction), so its offsets are
 * contiguous: partition p holds exactly the offsets `low..high-1`.
 *
 * @example
 * ```ts
 * await fillTopic(brokers, topic, 3, 1_000_000);
 * const r = await readAndCheck({ brokers, topic, client: 'platformatic', via: 'reader', bufferSize: 500, seed: 1 });
 * if (!r.exact) console.error(r.partitions);
 * ```
 */
import { mulberry32 } from '../pipelines/netflow/prng.js';
import { VirtualClock } from '../sdk/clock.js';
import { Pipeline } from '../sdk/pipeline.js';
import { createKafkaClientFactory, type KafkaClientName } from '../transforms/io/kafka/default-client.js';
import { KafkaIO } from '../transforms/io/kafka/index.js';
import { emptyKafkaReadStats, KafkaSource } from '../transforms/io/kafka/kafka-source.js';
import { ParDo } from '../transforms/par-do.js';

/** How the topic is read: polling the source's reader directly, or through a pipeline on a runner. */
export type ReadVia = 'reader' | 'native' | 'microbatch';

export interface ReadCheckOptions {
  readonly brokers: string;
  readonly topic: string;
  readonly client: KafkaClientName;
  readonly via: ReadVia;
  /** The read's `bufferSize`: small values make it pause and resume its partitions often. */
  readonly bufferSize: number;
  /** Seeds the random poll sizes and pauses of the `reader` mode (printed, so a failing run can be repeated). */
  readonly seed: number;
  /** Gives up (and reports the partitions as they stand) after this long. Default 600 s. */
  readonly timeoutMs?: number;
}

/** What one partition got. */
export interface PartitionCheck {
  readonly partition: number;
  /** Offsets the partition holds (`high - low`). */
  readonly expected: number;
  /** Records handed out (duplicates included). */
  readonly handedOut: number;
  /** Offsets never handed out. */
  readonly lost: number;
  /** Records handed out a second time or more. */
  readonly duplicates: number;
  /** Times a record's offset was not the one after the previous record's. */
  readonly outOfOrder: number;
  /** The first offset never handed out, if any. */
  readonly firstLost?: string;
}

export interface ReadCheck {
  readonly exact: boolean;
  readonly partitions: readonly PartitionCheck[];
  readonly records: number;
  readonly seconds: number;
  /** The read finished on its own (bounded: DONE); false when it hung until `timeoutMs` or failed. */
  readonly finished: boolean;
  readonly error?: string;
  readonly pauses: number;
  readonly resumes: number;
}

/**
 * Writes `records` small JSON records (about 45 bytes, as bench:kafka's) round-robin over the topic's
 * `partitions` (created here) with the default client's wire producer, uncompressed and in sends of
 * 5,000, so a 1 MiB fetch holds a dozen producer batches and a read takes many fetches.
 */
export async function fillTopic(brokers: string, topic: string, partitions: number, records: number): Promise<void> {
  const kafka = createKafkaClientFactory({ brokers, client: 'kafkajs', logLevel: 'error' });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions }]);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ compression: 'none' });
  await producer.connect();
  try {
    const BATCH = 5_000;
    for (let i = 0; i < records; i += BATCH) {
      const messages = [];
      for (let j = i; j < Math.min(records, i + BATCH); j++) messages.push({ partition: j % partitions, value: JSON.stringify({ id: j, user: `u${j % 1000}`, amount: j % 100 }) });
      await producer.send(topic, messages);
    }
  } finally {
    await producer.disconnect();
  }
}

/** Per partition: which offsets came how often, and whether they came in order. */
class OffsetLedger {
  private readonly seen: Uint8Array;
  private prev: bigint | undefined;
  handedOut = 0;
  duplicates = 0;
  outOfOrder = 0;

  constructor(
    readonly partition: number,
    private readonly low: bigint,
    private readonly high: bigint,
  ) {
    this.seen = new Uint8Array(Number(high - low));
  }

  add(offset: string): void {
    const o = BigInt(offset);
    this.handedOut++;
    if (this.prev !== undefined && o !== this.prev + 1n) this.outOfOrder++;
    else if (this.prev === undefined && o !== this.low) this.outOfOrder++;
    this.prev = o;
    if (o < this.low || o >= this.high) return void this.duplicates++; // not in the topic at all: count as wrong
    const i = Number(o - this.low);
    if (this.seen[i]! > 0) this.duplicates++;
    else this.seen[i] = 1;
  }

  result(): PartitionCheck {
    let lost = 0;
    let firstLost: string | undefined;
    for (let i = 0; i < this.seen.length; i++) {
      if (this.seen[i] === 0) {
        lost++;
        firstLost ??= (this.low + BigInt(i)).toString();
      }
    }
    return {
      partition: this.partition,
      expected: this.seen.length,
      handedOut: this.handedOut,
      lost,
      duplicates: this.duplicates,
      outOfOrder: this.outOfOrder,
      ...(firstLost !== undefined ? { firstLost } : {}),
    };
  }
}

/** Reads the whole topic once (bounded) and checks every offset; never throws for what it finds. */
export async function readAndCheck(o: ReadCheckOptions): Promise<ReadCheck> {
  // The offsets to expect come from the other library's admin: an oracle independent of the default client.
  const admin = createKafkaClientFactory({ brokers: o.brokers, client: 'kafkajs', logLevel: 'error' }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(o.topic).finally(() => admin.disconnect());
  const ledgers = new Map(offsets.map((x) => [x.partition, new OffsetLedger(x.partition, BigInt(x.low), BigInt(x.high))]));
  const options = { brokers: o.brokers, client: o.client, topics: o.topic, startAt: 'earliest' as const, bounded: true, bufferSize: o.bufferSize, logLevel: 'error' as const };
  const t0 = performance.now();
  let finished = false;
  let error: string | undefined;
  let stats = { pauses: 0, resumes: 0 };
  const timeoutMs = o.timeoutMs ?? 600_000;
  const record = (partition: number, offset: string): void => ledgers.get(partition)!.add(offset);
  try {
    if (o.via === 'reader') {
      const read = await readDirectly(o, options, record, timeoutMs);
      finished = read.finished;
      stats = read.stats;
    } else {
      const p = Pipeline.create([`--runner=${o.via}`]);
      const read = KafkaIO.read<unknown>({ ...options, withMetadata: true, deserializer: () => null });
      p.apply('Read', read).apply(
        'Check',
        ParDo<{ partition: number; offset: string }, never>({
          process(r) {
            record(r.partition, r.offset);
          },
        }),
      );
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      const result = await Promise.race([p.run(), timer]);
      finished = result !== 'timeout' && result.state === 'DONE';
      if (result === 'timeout') error = `no result after ${timeoutMs} ms`;
      else if (result.state !== 'DONE') error = `run ended ${result.state}`;
      stats = read.stats;
    }
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const partitions = [...ledgers.values()].map((l) => l.result());
  const records = partitions.reduce((n, x) => n + x.handedOut, 0);
  const exact = finished && error === undefined && partitions.every((x) => x.lost === 0 && x.duplicates === 0 && x.outOfOrder === 0);
  return { exact, partitions, records, seconds: (performance.now() - t0) / 1000, finished, pauses: stats.pauses, resumes: stats.resumes, ...(error !== undefined ? { error } : {}) };
}

/** Polls the source's reader with random poll sizes and, now and then, a short pause (a slow pipeline). */
async function readDirectly(
  o: ReadCheckOptions,
  options: ConstructorParameters<typeof KafkaSource<unknown, unknown>>[0],
  record: (partition: number, offset: string) => void,
  timeoutMs: number,
): Promise<{ finished: boolean; stats: { pauses: number; resumes: number } }> {
  const stats = emptyKafkaReadStats();
  const source = new KafkaSource<unknown, readonly [number, string]>({ ...options, deserializer: () => null, stats }, (_v, m) => [m.partition, m.offset] as const);
  const reader = await source.open({ step: 'Read', clock: new VirtualClock(0), signal: new AbortController().signal });
  const rnd = mulberry32(o.seed); // seeded, so a run's poll sizes and pauses can be repeated
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const size = 1 + Math.floor(rnd() * 2 * o.bufferSize);
      const b = await reader.poll(size, 100);
      for (const e of b.elements) record(e.value[0], e.value[1]);
      if (b.done) return { finished: true, stats };
      const r = rnd();
      if (r < 0.05) await new Promise((res) => setTimeout(res, Math.floor(rnd() * 12)));
      else if (r < 0.5) await new Promise((res) => setImmediate(res));
    }
    return { finished: false, stats };
  } finally {
    await reader.close();
  }
}
