import '/work/main/runners/index.js';
import { Pipeline } from '/work/main/sdk/pipeline.js';
import { KafkaIO } from '/work/main/transforms/io/kafka/index.js';
import { ParDo } from '/work/main/transforms/par-do.js';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { randomUUID } from 'node:crypto';
const brokers = '127.0.0.1:19092';
const topic = process.argv[2] || `rc-${randomUUID()}`;
const N = Number(process.argv[3] ?? 1_000_000);
if (!process.argv[2]) {
  const k = new Kafka({ clientId: 'f', brokers: [brokers], logLevel: logLevel.NOTHING });
  const pr = k.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await pr.connect();
  for (let i = 0; i < N; i += 5000) await pr.send({ topic, acks: -1, messages: Array.from({ length: Math.min(5000, N - i) }, (_, j) => ({ value: JSON.stringify({ id: i + j }) })) });
  await pr.disconnect();
  console.log('filled', topic);
}
for (const client of ['platformatic', 'kafkajs'] as const) for (const runner of ['native', 'microbatch']) {
  let seen = 0; const ids = new Set<number>();
  const p = Pipeline.create([`--runner=${runner}`]);
  const r = p.apply('Read', KafkaIO.read<{ id: number }>({ brokers, client, topics: topic, startAt: 'earliest', bounded: true }));
  r.apply('Count', ParDo.of({ process(v: { id: number }) { seen++; ids.add(v.id); } }));
  const res = await p.run();
  console.log(client, runner, 'seen', seen, 'distinct', ids.size, 'dead', res.metrics['Read']?.deadLettered, res.state);
}
