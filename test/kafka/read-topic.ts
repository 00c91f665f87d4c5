import type { KafkaClientFactory, KafkaMessage } from '../../transforms/io/kafka/client.js';

/**
 * Reads every partition of `topic` from the beginning until `count` records arrived (or 60 s passed),
 * then a little longer, so records that should not be there (duplicates, aborted ones) show up too.
 * `readUncommitted` also reads open and aborted transactions; the default is `read_committed`.
 * @example expect(values(await readTopic(kafka, 'out', { partitions: 3, count: 10 }))).toEqual(expected)
 */
export async function readTopic(
  kafka: KafkaClientFactory,
  topic: string,
  o: { readonly partitions: number; readonly count: number; readonly readUncommitted?: boolean; readonly graceMs?: number },
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ readUncommitted: o.readUncommitted ?? false, maxWaitTimeMs: 200, maxBytesPerPartition: 4 * 1024 * 1024 });
  const got: KafkaMessage[] = [];
  let failure: unknown = null;
  await consumer.connect();
  try {
    await consumer.assign(Array.from({ length: o.partitions }, (_, partition) => ({ topic, partition, startOffset: 'earliest' as const })));
    await consumer.run(async (b) => void got.push(...b.messages), { onError: (e) => (failure = e) });
    const deadline = Date.now() + 60_000;
    while (got.length < o.count && failure === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, o.graceMs ?? 700));
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return got;
}

/** The record values as strings, sorted: a multiset to compare. */
export const topicValues = (ms: readonly KafkaMessage[]): string[] => ms.map((m) => m.value?.toString() ?? '<null>').sort();
