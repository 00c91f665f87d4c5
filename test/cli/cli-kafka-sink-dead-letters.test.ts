import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { DeadLetterOutputRecord } from '../../pipelines/netflow/io/dead-letter-output.js';
import type { NetflowRunSummary } from '../../pipelines/netflow/netflow-app.js';
import { kafkaDescribe } from '../kafka/kafka-test-env.js';
import { kafkaTestTopics } from '../kafka/kafka-test-topics.js';
import { cliChild } from '../support/cli-child.js';

const BASE_S = 1490024700;

/** A valid Netflow event of source 10.0.0.1 at `BASE_S + k / 10` s. */
const flow = (k: number, eventid: string | number = k) =>
  JSON.stringify({
    eventid, src_ip4: '10.0.0.1', dst_ip4: '10.0.1.1', src_port: 40000 + k, dst_port: 443, duration: k % 3,
    in_bytes: 100 + k, in_packets: 1 + (k % 4), out_bytes: 50, out_packets: 1, eventtime: BASE_S + k / 10, nproto: 'TCP',
  });

/**
 * The Netflow job's sinks have dead letters of their own: KafkaIO.write sends no record over
 * `maxRecordBytes` (1 MiB) and dead-letters it (`record-too-large`). A flow with a 1.1 MB eventid
 * makes every pair it is in such a record. Those dead letters go to --deadLetters with the others
 * (before: only the read's and the job's did; these were counted in the step's metrics, warned about,
 * and lost).
 */
kafkaDescribe('the Netflow CLI: dead letters of the Kafka output step', (env) => {
  const k = kafkaTestTopics(env);
  const hugeId = `big-${'x'.repeat(1_100_000)}`;
  // Five flows in one 3 s window and key: 10 pairs, 4 of them with the huge flow (index 2).
  const lines = [flow(0), flow(1), flow(2, hugeId), flow(3), flow(4), '{"eventid":"broken"'];

  for (const runner of ['native', 'microbatch'] as const) {
    it(`${runner}: a pair over the record limit ends in --deadLetters with reason and origin, the run exits 0, the summary counts it`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ws-cli-sink-dl-'));
      const input = join(dir, 'flows.ndjson');
      writeFileSync(input, `${lines.join('\n')}\n`);
      const topic = await k.newTopic('watershed-cli-sink-dl', 1);
      const dead = join(dir, 'dead.ndjson');
      const stats = join(dir, 'stats.json');
      const r = cliChild([`--runner=${runner}`, `--input=ndjson:${input}`, `--output=kafka:${topic}`, `--brokers=${env.brokers}`, '--window=3s', `--deadLetters=ndjson:${dead}`, `--statsOut=${stats}`]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('nothing reads them');
      // The summary's top pairs shorten the 1.1 MB eventid (before: printed whole, over spawnSync's 1 MB buffer).
      expect(r.stdout.length).toBeLessThan(50_000);

      const letters = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DeadLetterOutputRecord);
      const tooLarge = letters.filter((d) => d.reason === 'record-too-large');
      expect(tooLarge).toHaveLength(4);
      for (const d of tooLarge) {
        expect(d.step).toBe('WritePairsToKafka');
        expect(d.origin).toEqual({ topic });
        expect(d.message).toMatch(/1,048,576/);
        expect(d.shortened).toBe(true);
        expect(d.rawLength).toBeGreaterThan(1_100_000);
        expect(d.raw).toContain('"eventid_');
      }
      // The read's and the job's dead letters are still there.
      expect(letters.filter((d) => d.reason === 'malformed-json')).toHaveLength(1);
      expect(letters).toHaveLength(5);

      const s = JSON.parse(readFileSync(stats, 'utf8')) as NetflowRunSummary;
      expect(s.deadLetterOutput).toEqual({ to: `ndjson ${dead}`, records: 5 });
      expect(s.outputRejected).toEqual({ WritePairsToKafka: 4 });
      expect(s.metrics['PairStats']!.elementsIn).toBe(10);
      expect(r.stdout).toMatch(/^not written +4 records \(WritePairsToKafka 4; in the dead letters\)$/m);
    }, 120_000);
  }

  for (const runner of ['native', 'microbatch'] as const) {
    it(`${runner}: a late record over the record limit of --lateOutput's topic ends in --deadLetters`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ws-cli-sink-dl-'));
      const input = join(dir, 'flows.ndjson');
      // 100 s of flows, one every 0.5 s, then a straggler 60 s behind (late with a 1 s watermark bound) carrying the huge id.
      const inOrder = Array.from({ length: 200 }, (_, i) => flow(i * 5));
      writeFileSync(input, `${[...inOrder, flow(400, hugeId)].join('\n')}\n`);
      const late = await k.newTopic('watershed-cli-sink-late', 1);
      const dead = join(dir, 'dead.ndjson');
      const stats = join(dir, 'stats.json');
      const r = cliChild([`--runner=${runner}`, `--input=ndjson:${input}`, '--window=3s', '--maxOutOfOrderness=1s', `--lateOutput=kafka:${late}`, `--brokers=${env.brokers}`, `--deadLetters=ndjson:${dead}`, `--statsOut=${stats}`, '--bundleSize=10', '--maxBatchSize=10']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain('nothing reads them');
      const letters = readFileSync(dead, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DeadLetterOutputRecord);
      expect(letters.map((d) => [d.reason, d.step, d.origin])).toEqual([['record-too-large', 'WriteLate', { topic: late }]]);
      const s = JSON.parse(readFileSync(stats, 'utf8')) as NetflowRunSummary;
      expect(s.lateDropped).toBe(1);
      expect(s.outputRejected).toEqual({ WriteLate: 1 });
      expect(s.deadLetterOutput!.records).toBe(1);
    }, 120_000);
  }

  it('without --deadLetters the summary still counts them, and the warning names the step', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ws-cli-sink-dl-'));
    const input = join(dir, 'flows.ndjson');
    writeFileSync(input, `${lines.join('\n')}\n`);
    const topic = `watershed-cli-sink-dl-${randomUUID()}`;
    await k.createTopics([topic], 1);
    const stats = join(dir, 'stats.json');
    const r = cliChild([`--input=ndjson:${input}`, `--output=kafka:${topic}`, `--brokers=${env.brokers}`, '--window=3s', `--statsOut=${stats}`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("step 'WritePairsToKafka' sent 4 records to its dead letters, and nothing reads them");
    const s = JSON.parse(readFileSync(stats, 'utf8')) as NetflowRunSummary;
    expect(s.outputRejected).toEqual({ WritePairsToKafka: 4 });
    expect(r.stdout).toMatch(/^not written +4 records \(WritePairsToKafka 4; lost: --deadLetters keeps them\)$/m);
  }, 120_000);
});
