/**
 * network-talkers.ts reads `--input=kafka:<topic>` with conn-readers.ts' `connDeserializer`: a record that
 * is not a Conn (a member missing or of another type) is a dead letter of the read with its topic,
 * partition and offset. Without it, `"bytes": "12"` reached the session combiner, whose `acc.bytes += c.bytes`
 * made the session's bytes the text "012", and Sum counted it as 12 (the Top talkers disagreeing with the sessions).
 */
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../sdk/dead-letter.js';
import { Capture } from '../../sdk/testing/capture.js';
import { KafkaIO } from '../../transforms/io/kafka/index.js';
import { connDeserializer, type Conn } from '../../pipelines/examples/conn-readers.js';
import { inMemoryKafka, type InMemoryRecord } from '../support/in-memory-kafka.js';
import { RUNNERS, runWith } from '../support/runners.js';

const T = Date.UTC(2021, 5, 6, 14, 0);
const good: Conn = { ts: T, src: '10.0.0.1', dst: '10.0.0.2', dport: 80, bytes: 100 };
const records: InMemoryRecord[] = [
  good,
  { ...good, bytes: '12' },
  { ...good, dport: 70000 },
  { ...good, src: null },
  { ts: T, src: '10.0.0.1', dst: '10.0.0.2', dport: 80 },
  [good],
  { ...good, ts: 'soon' },
].map((v) => ({ value: JSON.stringify(v), timestamp: T }));
records.push({ value: '{"ts":', timestamp: T }, { value: JSON.stringify({ ...good, bytes: 7 }), timestamp: T });

describe.each(RUNNERS)('network-talkers’ Kafka input on $label', ({ options }) => {
  it('a record that is not a Conn is a malformed-conn dead letter with its offset; the Conns read are typed as Conn says', async () => {
    const { out } = await runWith(options, (p) => {
      const conns = p.apply('Conns', KafkaIO.read<Conn>({
        client: inMemoryKafka({ conns: [records] }), brokers: 'in-memory:0', topics: 'conns', startAt: 'earliest', bounded: true,
        deserializer: connDeserializer, timestamp: (c) => c.ts,
      }));
      return { conns: conns.apply('C', Capture.records<Conn>()), dead: conns.deadLetters().apply('D', Capture.records<DeadLetter>()) };
    });
    expect(out.conns.values()).toEqual([good, { ...good, bytes: 7 }]);
    expect(out.dead.values().map((d) => [d.reason, d.origin?.['offset'], d.message])).toEqual([
      ['malformed-conn', '1', 'not a connection: bytes is "12", not a byte count'],
      ['malformed-conn', '2', 'not a connection: dport is 70000, not a port'],
      ['malformed-conn', '3', 'not a connection: src is null, not text'],
      ['malformed-conn', '4', 'not a connection: bytes is missing, not a byte count'],
      ['malformed-conn', '5', `not a connection: ${JSON.stringify([good]).slice(0, 60)} is not an object`],
      ['malformed-conn', '6', 'not a connection: ts is "soon", not a number'],
      ['malformed-json', '7', expect.any(String)],
    ]);
  });
});
