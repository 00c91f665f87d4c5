/**
 * The @platformatic/kafka consumer adapter's fetch loop fetches the next round while it hands out the
 * current one. A partition paused while a round is handed out gets its batch held back; if it is
 * resumed before the prefetched round (fetched before the pause, so it holds the partition's next
 * records) is handed out, the held batch must still go out first. Before the fix the newer batch went
 * out first and the held one after it, and KafkaIO.read dropped the held records as "already read"
 * (a bounded read of 1 M records came up 21,667 short). The library's Consumer is replaced by an
 * in-memory fake so the interleaving is forced, not hoped for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KafkaBatch } from '../../../../transforms/io/kafka/client.js';
import { PlatformaticConsumer } from '../../../../transforms/io/kafka/platformatic/consumer.js';
import { platformaticContext } from '../../../../transforms/io/kafka/platformatic/context.js';

const TOPIC = 't';
const TOPIC_ID = 'topic-id-t';
const PER_FETCH = 5;

interface FetchPartition {
  partition: number;
  fetchOffset: bigint;
}
interface FetchRequest {
  node: number;
  topics: Array<{ topicId: string; partitions: FetchPartition[] }>;
}

/**
 * A stand-in for the library's Consumer: 2 partitions of `size` records each, led by the brokers
 * `leaders` (default both by broker 1), fetches answered by `onFetch`.
 */
class FakeLibraryConsumer {
  generationId = 0;
  memberId = '';
  readonly topics = { trackAll: (): void => undefined };
  fetches = 0;
  constructor(
    private readonly size: number,
    private readonly onFetch: (n: number, answer: () => unknown, request: FetchRequest) => Promise<unknown>,
    private readonly leaders: readonly [number, number] = [1, 1],
  ) {}
  async metadata(): Promise<unknown> {
    return { topics: new Map([[TOPIC, { id: TOPIC_ID, partitions: this.leaders.map((leader) => ({ leader })) }]]) };
  }
  async listOffsets(o: { timestamp: bigint }): Promise<Map<string, bigint[]>> {
    const at = o.timestamp === -2n ? 0n : BigInt(this.size); // EARLIEST : LATEST
    return new Map([[TOPIC, [at, at]]]);
  }
  fetch(request: FetchRequest): Promise<unknown> {
    const n = ++this.fetches;
    const answer = (): unknown => ({
      responses: request.topics.map((t) => ({
        topicId: t.topicId,
        partitions: t.partitions.map((p) => this.partitionResponse(p)),
      })),
    });
    return this.onFetch(n, answer, request);
  }
  private partitionResponse(p: FetchPartition): unknown {
    const first = p.fetchOffset;
    const count = Math.max(0, Math.min(PER_FETCH, this.size - Number(first)));
    const records =
      count === 0
        ? []
        : [
            {
              firstOffset: first,
              lastOffsetDelta: count - 1,
              attributes: 0,
              firstTimestamp: 1_000n,
              maxTimestamp: 1_000n,
              records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: 0n, key: null, value: Buffer.from(`v${Number(first) + i}`), headers: [] })),
            },
          ];
    return { partitionIndex: p.partition, highWatermark: BigInt(this.size), records };
  }
  clearMetadata(): void {}
  async close(): Promise<void> {}
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The adapter under test in each test; disconnected after it. */
let consumer: PlatformaticConsumer | undefined;
afterEach(async () => {
  await consumer?.disconnect();
  consumer = undefined;
});

/** A new adapter (its library Consumer still the real one, reaching nothing), and its held batches. */
function newConsumer(): { c: PlatformaticConsumer; held: Map<string, KafkaBatch> } {
  consumer = new PlatformaticConsumer(platformaticContext({ brokers: '127.0.0.1:1' }), { maxWaitTimeMs: 10 });
  return { c: consumer, held: (consumer as unknown as { held: Map<string, KafkaBatch> }).held };
}

/** Closes `c`'s real library Consumer, puts `fake` in its place, connects, and assigns both partitions from the earliest offset. */
async function connectOver(c: PlatformaticConsumer, fake: FakeLibraryConsumer): Promise<void> {
  const real = (c as unknown as { consumer: { close(force: boolean): Promise<void> } }).consumer;
  await real.close(true);
  (c as unknown as { consumer: FakeLibraryConsumer }).consumer = fake;
  await c.connect();
  await c.assign([
    { topic: TOPIC, partition: 0, startOffset: 'earliest' },
    { topic: TOPIC, partition: 1, startOffset: 'earliest' },
  ]);
}

describe('PlatformaticConsumer: held batches stay in offset order', () => {
  it('a partition resumed before a round fetched ahead of its pause is handed out gets its held batch first', async () => {
    const size = 3 * PER_FETCH;
    const { c, held } = newConsumer();
    const fake = new FakeLibraryConsumer(size, async (n, answer) => {
      if (n === 2) {
        // Round 2 was fetched ahead, before round 1's batches were handed out. Answer it only once
        // round 1 is through (partition 1's batch held because the handler paused everything), after
        // everything was resumed: the moment a real broker's answer can arrive.
        for (let i = 0; i < 1_000 && held.size === 0; i++) await turn();
        expect(held.size).toBe(1);
        c.resume([
          { topic: TOPIC, partition: 0 },
          { topic: TOPIC, partition: 1 },
        ]);
      }
      if (n > 3) await new Promise((r) => setTimeout(r, 5)); // nothing left: an empty long poll
      return answer();
    });
    await connectOver(c, fake);
    const seen: Record<number, number[]> = { 0: [], 1: [] };
    const fetchOffsets: Record<number, Array<string | undefined>> = { 0: [], 1: [] };
    let first = true;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const errors: unknown[] = [];
    await c.run(
      async (batch) => {
        if (first) {
          // The first batch fills the reader's queue: it pauses every partition.
          first = false;
          c.pause([
            { topic: TOPIC, partition: 0 },
            { topic: TOPIC, partition: 1 },
          ]);
        }
        fetchOffsets[batch.partition]!.push(batch.fetchOffset);
        seen[batch.partition]!.push(...batch.messages.map((m) => Number(m.offset)));
        if (seen[0]!.length + seen[1]!.length >= 2 * size) done();
      },
      { onError: (e) => errors.push(e) },
    );
    await all;
    expect(errors).toEqual([]);
    const inOrder = Array.from({ length: size }, (_, i) => i);
    expect(seen[0]).toEqual(inOrder);
    expect(seen[1]).toEqual(inOrder);
    // Each batch accounts for its partition from where the one before it ended.
    expect(fetchOffsets[0]).toEqual(['0', '5', '10']);
    expect(fetchOffsets[1]).toEqual(['0', '10']); // the held batch 0..4 and 5..9 went out as one
  });
});

describe('PlatformaticConsumer: a resumed partition is fetched again (no lost wake-up)', () => {
  // A bounded read pauses a partition for good once it has read it to its end. Here partition 0 stays
  // paused and partition 1 is resumed while it has a held batch, before the prefetched round is handed
  // out. The next round then had nothing to fetch (0 paused, 1 held) and slept; the held batch went out
  // without waking it, and no resume came any more: partition 1's last records were never fetched and
  // the read hung. A hang shows as this test timing out.
  it('a partition resumed while its batch is held, with every other partition paused, still reads to its end', { timeout: 10_000 }, async () => {
    const size = 3 * PER_FETCH;
    const { c, held } = newConsumer();
    const fake = new FakeLibraryConsumer(size, async (n, answer) => {
      if (n === 2) {
        for (let i = 0; i < 1_000 && held.size === 0; i++) await turn();
        expect(held.size).toBe(1);
        c.resume([{ topic: TOPIC, partition: 1 }]); // partition 0 stays paused
      }
      if (n > 3) await new Promise((r) => setTimeout(r, 5));
      return answer();
    });
    await connectOver(c, fake);
    const seen: number[] = [];
    let first = true;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const errors: unknown[] = [];
    await c.run(
      async (batch) => {
        if (first) {
          first = false;
          c.pause([
            { topic: TOPIC, partition: 0 },
            { topic: TOPIC, partition: 1 },
          ]);
        }
        if (batch.partition === 1) seen.push(...batch.messages.map((m) => Number(m.offset)));
        if (seen.length >= size) done();
      },
      { onError: (e) => errors.push(e) },
    );
    await all;
    expect(errors).toEqual([]);
    expect(seen).toEqual(Array.from({ length: size }, (_, i) => i));
  });
});

describe('PlatformaticConsumer: a round fetched from several brokers', () => {
  // Partitions led by different brokers are fetched with one request per broker. When one request
  // failed, the round was retried, but the partitions of the brokers that had answered had already
  // moved past the records of their answer, which went nowhere: those records were lost.
  it('when one broker fails, the records another broker returned in the same round are not lost', async () => {
    const size = 3 * PER_FETCH;
    const { c } = newConsumer();
    let failed = false;
    const fake = new FakeLibraryConsumer(
      size,
      async (_n, answer, request) => {
        if (request.node === 2 && !failed) {
          failed = true;
          await turn(); // broker 1 answers first
          throw new Error('connection to broker 2 reset');
        }
        const a = answer() as { responses: Array<{ partitions: Array<{ records: unknown[] }> }> };
        // nothing left: an empty long poll (an instant one would spin without ever yielding to timers)
        if (a.responses.every((t) => t.partitions.every((p) => p.records.length === 0))) await new Promise((r) => setTimeout(r, 5));
        return a;
      },
      [1, 2],
    );
    await connectOver(c, fake);
    const seen: Record<number, number[]> = { 0: [], 1: [] };
    const fetchOffsets: Record<number, Array<string | undefined>> = { 0: [], 1: [] };
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const errors: unknown[] = [];
    await c.run(
      async (batch) => {
        fetchOffsets[batch.partition]!.push(batch.fetchOffset);
        seen[batch.partition]!.push(...batch.messages.map((m) => Number(m.offset)));
        if (seen[0]!.includes(size - 1) && seen[1]!.includes(size - 1)) done(); // both read to their end
      },
      { onError: (e) => errors.push(e) },
    );
    await all;
    expect(errors).toEqual([]);
    const inOrder = Array.from({ length: size }, (_, i) => i);
    expect(seen[0]).toEqual(inOrder);
    expect(seen[1]).toEqual(inOrder);
    expect(fetchOffsets[0]).toEqual(['0', '5', '10']);
    expect(fetchOffsets[1]).toEqual(['0', '5', '10']);
  });
});
