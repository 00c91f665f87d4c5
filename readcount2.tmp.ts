import '/work/main/runners/index.js';
import { Pipeline } from '/work/main/sdk/pipeline.js';
import { KafkaIO } from '/work/main/transforms/io/kafka/index.js';
import { ParDo } from '/work/main/transforms/par-do.js';
const brokers = '127.0.0.1:19092';
const topic = process.argv[2]!;
const N = Number(process.argv[3]);
for (let round = 0; round < Number(process.argv[4] ?? 3); round++) for (const bufferSize of [10_000, 500]) {
  let seen = 0; const ids = new Set<number>();
  const p = Pipeline.create(['--runner=native']);
  const r = p.apply('Read', KafkaIO.read<{ id: number }>({ brokers, topics: topic, startAt: 'earliest', bounded: true, bufferSize }));
  r.apply('Count', ParDo.of({ process(v: { id: number }) { seen++; ids.add(v.id); } }));
  const res = await p.run();
  const st = (r as any).stats;
  console.log(round, bufferSize, 'seen', seen, 'distinct', ids.size, 'dead', res.metrics['Read']?.deadLettered, res.state, seen === N ? 'OK' : 'LOSS');
}
