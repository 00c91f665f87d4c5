import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../../sdk/dead-letter.js';
import { Capture } from '../../../../sdk/testing/capture.js';
import { KafkaIO, type KafkaDeadLetterRecord } from '../../../../transforms/io/kafka/index.js';
import { inMemoryKafka, type InMemoryRecord } from '../../../support/in-memory-kafka.js';
import { RUNNERS, runWith } from '../../../support/runners.js';

/**
 * A Kafka record that cannot be read goes to the dead letters whole: its key, value and headers as
 * their exact bytes (base64), so that it can be inspected and sent again as it was. Before, the
 * headers (a trace id, a schema id, a content type) were left out of the dead letter: lost.
 */
const T = Date.UTC(2026, 0, 1);
const HUGE = Buffer.alloc(8 * 1024 * 1024, 0x78); // 8 MiB of 'x': not JSON
const RECORDS: InMemoryRecord[] = [
  { value: '{"t":1}', timestamp: T },
  {
    value: Buffer.from([0x7b, 0xff, 0x7d]),
    key: Buffer.from([0xc3]),
    timestamp: T,
    headers: { trace: [Buffer.from('abc'), Buffer.from([0xff, 0x00])], ['__proto__']: [Buffer.from('p')], empty: [Buffer.alloc(0)] },
  },
  { value: null, key: Buffer.from('k'), timestamp: T, headers: { 'content-type': [Buffer.from('application/json')] } },
  { value: HUGE, timestamp: T, headers: { schema: [Buffer.from([1, 2, 3])] } },
  { value: '{"t":2}', timestamp: T },
];

const b64 = (b: Buffer): string => b.toString('base64');

describe.each(RUNNERS)('KafkaIO.read dead letters on $label', ({ options: runner }) => {
  it('carry the record whole: key, value and headers as exact bytes (a repeated header name keeps every value, in order)', async () => {
    const { out } = await runWith(runner, (p) => {
      const read = p.apply('Read', KafkaIO.read<{ t: number } | null>({
        client: inMemoryKafka({ flows: [RECORDS] }), brokers: 'in-memory:0', topics: 'flows', startAt: 'earliest', bounded: true,
        timestamp: (v) => (v as { t: number }).t, // a tombstone (null) throws here
      }));
      return { dead: read.deadLetters().apply('Dead', Capture.records<DeadLetter>()), main: read.apply('Main', Capture.records()) };
    });
    expect(out.main.values()).toEqual([{ t: 1 }, { t: 2 }]);
    const dead = out.dead.values();
    expect(dead.map((d) => [d.reason, d.origin])).toEqual([
      ['invalid-utf8', { topic: 'flows', partition: 0, offset: '1' }],
      ['event-time-failed', { topic: 'flows', partition: 0, offset: '2' }],
      ['malformed-json', { topic: 'flows', partition: 0, offset: '3' }],
    ]);
    const [bad, tombstone, huge] = dead.map((d) => d.element as KafkaDeadLetterRecord);
    expect(bad).toEqual({
      topic: 'flows', partition: 0, offset: '1', timestamp: T, encoding: 'base64',
      key: b64(Buffer.from([0xc3])), value: b64(Buffer.from([0x7b, 0xff, 0x7d])),
      headers: JSON.parse(`{"trace":["${b64(Buffer.from('abc'))}","${b64(Buffer.from([0xff, 0x00]))}"],"__proto__":["${b64(Buffer.from('p'))}"],"empty":[""]}`),
    });
    expect(Object.getPrototypeOf(bad!.headers)).toBe(Object.prototype);
    expect(tombstone).toMatchObject({ key: b64(Buffer.from('k')), value: null, headers: { 'content-type': [b64(Buffer.from('application/json'))] } });
    expect(Buffer.from(huge!.value!, 'base64').equals(HUGE)).toBe(true);
    expect(huge!.headers).toEqual({ schema: [b64(Buffer.from([1, 2, 3]))] });
  });
});
