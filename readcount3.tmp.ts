import '/work/main/runners/index.js';
import { Pipeline } from '/work/main/sdk/pipeline.js';
import { KafkaIO } from '/work/main/transforms/io/kafka/index.js';
import { Filter } from '/work/main/transforms/filter.js';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
const brokers = '127.0.0.1:19092';
const N = 1_000_000;
for (let it = 0; it < Number(process.argv[2] ?? 4); it++) {
  const topic = `rc3-${randomUUID()}`;
  const k = new Kafka({ clientId: 'f', brokers: [brokers], logLevel: logLevel.NOTHING });
  const pr = k.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await pr.connect();
  for (let i = 0; i < N; i += 5000) await pr.send({ topic, acks: -1, messages: Array.from({ length: Math.min(5000, N - i) }, (_, j) => ({ value: JSON.stringify({ id: i + j, user: `u${(i + j) % 1000}`, amount: (i + j) % 100 }) })) });
  await pr.disconnect();
  let seen = 0;
  const per = new Map<number, { n: number; max: bigint; gaps: number; prev: bigint }>();
  const p = Pipeline.create(['--runner=native']);
  const read = KafkaIO.read<any>({ brokers, topics: topic, startAt: 'earliest', bounded: true, withMetadata: true } as any);
  p.apply('Read', read).apply('Drop', Filter((r: any) => { seen++; const o = BigInt(r.offset); const e = per.get(r.partition) ?? { n: 0, max: -1n, gaps: 0, prev: -1n }; if (o !== e.prev + 1n) e.gaps++; e.prev = o; e.n++; if (o > e.max) e.max = o; per.set(r.partition, e); return false; }));
  const res = await p.run();
  const adm = k.admin(); await adm.connect(); const offs = await adm.fetchTopicOffsets(topic); await adm.disconnect();
  console.log(JSON.stringify([...per].map(([pt, e]) => ({ pt, n: e.n, max: String(e.max), gaps: e.gaps }))), JSON.stringify(offs.map((o) => [o.partition, o.high])));
  console.log(it, 'seen', seen, JSON.stringify(read.stats), res.metrics['Read']?.elementsOut, seen === N ? 'OK' : 'LOSS');
}
