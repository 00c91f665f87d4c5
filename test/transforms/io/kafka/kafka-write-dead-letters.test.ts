import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../../sdk/dead-letter.js';
import { UserCodeError } from '../../../../sdk/errors.js';
import { Capture } from '../../../../sdk/testing/capture.js';
import { Create } from '../../../../transforms/create.js';
import { KafkaClientError, type KafkaClientFactory, type KafkaOutgoingMessage, type KafkaProducerPort, type KafkaValueBlock } from '../../../../transforms/io/kafka/client.js';
import { KafkaIO, KafkaRecordTooLargeError, Serde } from '../../../../transforms/io/kafka/index.js';
import { RUNNERS, runWith } from '../../../support/runners.js';

/** A client whose producer keeps what it is sent (values as text), or fails every send with `fail`. */
function fakeClient(fail?: Error): { client: KafkaClientFactory; sent: string[] } {
  const sent: string[] = [];
  const text = (v: Buffer | string | null) => (v === null ? 'null' : v.toString());
  const producer: KafkaProducerPort = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    send: async (_topic: string, messages: readonly KafkaOutgoingMessage[]) => {
      if (fail) throw fail;
      sent.push(...messages.map((m) => text(m.value)));
      return [];
    },
    sendBlock: async (_topic: string, { values, offsets }: KafkaValueBlock) => {
      if (fail) throw fail;
      for (let i = 0; i + 1 < offsets.length; i++) sent.push(values.subarray(offsets[i]!, offsets[i + 1]!).toString());
      return [];
    },
  } as unknown as KafkaProducerPort;
  const client = { brokers: ['fake:9092'], producer: () => producer, consumer: () => { throw new Error('no consumer'); }, admin: () => { throw new Error('no admin'); } } as unknown as KafkaClientFactory;
  return { client, sent };
}

const encoder = (v: string, buf: Buffer, offset: number): number => (offset + Buffer.byteLength(v) > buf.length ? -1 : offset + buf.write(v, offset));

describe.each(RUNNERS)('KafkaIO.write on $label, without a broker', ({ options }) => {
  it.each([
    ['records (serializer)', { serializer: Serde.toText<string>() }],
    ['a value block (encoder)', { encoder }],
  ] as const)('%s: a record over maxRecordBytes goes to the dead letters with its size, unsent; the others are sent', async (_name, how) => {
    const { client, sent } = fakeClient();
    const { out, result } = await runWith(options, (p) =>
      p
        .apply('Values', Create(['a', 'bbbbbbbbbbbb', 'c', 'é'.repeat(6)]))
        .apply('Write', KafkaIO.write<string>({ brokers: 'fake:9092', client, topic: 't', maxRecordBytes: 10, ...how }))
        .deadLetters()
        .apply('D', Capture.records()),
    );
    expect(sent.sort()).toEqual(['a', 'c']);
    const dead = (out.values() as DeadLetter[]).sort((x, y) => String(x.element).localeCompare(String(y.element)));
    expect(dead.map((d) => [d.step, d.reason, d.origin, d.element])).toEqual([
      ['Write', 'record-too-large', { topic: 't' }, 'bbbbbbbbbbbb'],
      ['Write', 'record-too-large', { topic: 't' }, 'é'.repeat(6)],
    ]);
    expect(dead.map((d) => d.message.match(/has (\d+) bytes/)![1])).toEqual(['12', '12']);
    expect(result.metrics['Write']!.deadLettered).toBe(2);
  });

  it('a value, key or header given as text with a lone surrogate is an unencodable dead letter, unsent (UTF-8 would send U+FFFD: two keys made one)', async () => {
    const { client, sent } = fakeClient();
    const { out, result } = await runWith(options, (p) =>
      p
        .apply('Values', Create(['a', 'v\uD800', 'k\uD801', 'h\uDC00', 'b\u{1F600}']))
        .apply('Write', KafkaIO.write<string>({
          brokers: 'fake:9092', client, topic: 't', serializer: (v) => (v.startsWith('v') ? v : v.slice(0, 1)),
          key: (v) => (v.startsWith('k') ? v : 'key'),
          headers: (v) => (v.startsWith('h') ? { trace: v } : { trace: 'ok' }),
        }))
        .deadLetters()
        .apply('D', Capture.records()),
    );
    expect(sent.sort()).toEqual(['a', 'b']);
    const dead = (out.values() as DeadLetter[]).sort((x, y) => String(x.element).localeCompare(String(y.element)));
    expect(dead.map((d) => [d.reason, d.origin, d.element, d.message.replace(/^.*? has /, '')])).toEqual([
      ['unencodable', { topic: 't' }, 'h\uDC00', 'header "trace" with a lone surrogate (not Unicode): UTF-8 would send U+FFFD in its place: not sent'],
      ['unencodable', { topic: 't' }, 'k\uD801', 'a key with a lone surrogate (not Unicode): UTF-8 would send U+FFFD in its place: not sent'],
      ['unencodable', { topic: 't' }, 'v\uD800', 'a value with a lone surrogate (not Unicode): UTF-8 would send U+FFFD in its place: not sent'],
    ]);
    expect(result.metrics['Write']!.deadLettered).toBe(3);
  });

  it('Serde.toText of an object (whose text is [object Object]) is an unencodable dead letter, never sent as those 15 characters', async () => {
    const { client, sent } = fakeClient();
    class Named { toString() { return 'named'; } }
    const { out } = await runWith(options, (p) =>
      p
        .apply('Values', Create<unknown>(['a', { user: 'ann' }, 7, new Named(), { user: 'bob' }]))
        .apply('Write', KafkaIO.write<unknown>({ brokers: 'fake:9092', client, topic: 't', serializer: Serde.toText() }))
        .deadLetters()
        .apply('D', Capture.records()),
    );
    expect(sent.sort()).toEqual(['7', 'a', 'named']);
    const dead = out.values() as DeadLetter[];
    expect(dead.map((d) => [d.reason, d.origin, d.element])).toEqual([['unencodable', { topic: 't' }, { user: 'ann' }], ['unencodable', { topic: 't' }, { user: 'bob' }]]);
    expect(dead[0]!.message).toBe("step 'Write': the record for Kafka topic 't': Serde.toText: the value is an object whose text is '[object Object]' (nothing of its content): use Serde.toJson(): not sent");
  });

  it('any other failure still fails the run (the dead letters are for oversized records only): a throwing serializer is a UserCodeError', async () => {
    const { client } = fakeClient();
    const run = runWith(options, (p) =>
      p.apply('Values', Create(['a', 'boom'])).apply('Write', KafkaIO.write<string>({ brokers: 'fake:9092', client, topic: 't', serializer: (v) => {
        if (v === 'boom') throw new Error('cannot serialize');
        return v;
      } })),
    );
    const error = await run.then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserCodeError);
    expect(error).toMatchObject({ step: 'Write', element: '"boom"' });
    expect((error as Error).message).toMatch(/cannot serialize/);
  });

  it('a send the broker refuses as too large fails the run with a KafkaRecordTooLargeError naming the step, topic and record', async () => {
    const { client } = fakeClient(new KafkaClientError('Produce to t-0 failed: MESSAGE_TOO_LARGE', { retriable: false, code: 'MESSAGE_TOO_LARGE' }));
    const error = await runWith(options, (p) => p.apply('Values', Create(['a', 'bbbb'])).apply('Write', KafkaIO.write<string>({ brokers: 'fake:9092', client, topic: 't', serializer: Serde.toText<string>() }))).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaRecordTooLargeError);
    expect(error).toMatchObject({ step: 'Write', topic: 't', bytes: 4 });
  });
});
