import { describe, expect, it } from 'vitest';
import { KafkaClientError } from '../../../../transforms/io/kafka/client.js';
import { KafkaRecordTooLargeError, recordBytes, tooLargeSend } from '../../../../transforms/io/kafka/record-too-large.js';

describe('tooLargeSend', () => {
  const tooLarge = new KafkaClientError('Produce to t-0 failed: MESSAGE_TOO_LARGE', { retriable: false, code: 'MESSAGE_TOO_LARGE' });

  it('names the largest record of a send (index, bytes, key, value shortened), keeping the cause', () => {
    const e = tooLargeSend(tooLarge, 'Write', 't', [{ key: 'a', value: 'small' }, { key: 'bb', value: `BIG${'x'.repeat(5000)}` }, { value: null }]) as KafkaRecordTooLargeError;
    // a typed sink error, not the user's code: it names the step, the topic and the record
    expect(e).toBeInstanceOf(KafkaRecordTooLargeError);
    expect(e).toMatchObject({ code: 'KAFKA_RECORD_TOO_LARGE', retriable: false, cause: tooLarge, step: 'Write', topic: 't', index: 1, records: 3, bytes: 5005 });
    expect(e.message).toMatch(/^step 'Write': KafkaIO.write to 't': a record is too large .*the largest of the 3 records of this send is #1: 5,005 bytes of key and value, key "bb", value "BIGx+…\. Lower maxRecordBytes/);
    expect(e.message.length).toBeLessThan(500);
  });

  it('names the largest value of a block send', () => {
    const values = Buffer.from(`ab${'y'.repeat(3000)}c`);
    const e = tooLargeSend(tooLarge, 'Write', 't', { values, offsets: [0, 1, 2, 3002, 3003] }) as Error;
    expect(e.message).toMatch(/the largest of the 4 records of this send is #2: 3,000 bytes of key and value, key null, value "yyy/);
  });

  it('counts the bytes of key, value and headers (UTF-8), what maxRecordBytes limits', () => {
    expect(recordBytes({ value: 'é€' })).toBe(5);
    expect(recordBytes({ key: Buffer.alloc(3), value: null, headers: { h: 'ab', hh: [Buffer.alloc(4), 'c'] } })).toBe(3 + 1 + 2 + 2 + 4 + 1);
  });

  it('leaves any other failure as it is', () => {
    const other = new KafkaClientError('Produce failed: TOPIC_AUTHORIZATION_FAILED', { retriable: false, code: 'TOPIC_AUTHORIZATION_FAILED' });
    expect(tooLargeSend(other, 'Write', 't', [{ value: 'v' }])).toBe(other);
  });
});
