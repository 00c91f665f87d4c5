import { describe, expect, it } from 'vitest';
import { DeserializationError, Serde } from '../../../../transforms/io/kafka/index.js';

const record = { topic: 't', partition: 0, offset: '0', key: null, value: null, timestamp: '0', headers: {} } as unknown as Parameters<ReturnType<typeof Serde.json>>[1];

describe('Serde.json', () => {
  it('refuses a value that is not valid UTF-8 (a dead letter, reason invalid-utf8) instead of parsing it with U+FFFD in its strings', () => {
    const bytes = Buffer.from('{"user":"caf\xe9"}', 'latin1');
    const read = () => Serde.json()(bytes, record);
    expect(read).toThrow(DeserializationError);
    expect(read).toThrow(expect.objectContaining({ reason: 'invalid-utf8' }));
    expect(Serde.json()(Buffer.from('{"user":"café"}'), record)).toEqual({ user: 'café' });
    expect(Serde.json()(null, record)).toBeNull();
    expect(() => Serde.json()(Buffer.from('{"user":'), record)).toThrow(expect.objectContaining({ reason: 'malformed-json' }));
  });

  it('refuses JSON nested more than 1000 levels (reason too-deep): parsed, it would overflow the stack of whatever writes it', () => {
    const deep = Buffer.from(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(() => Serde.json()(deep, record)).toThrow(expect.objectContaining({ reason: 'too-deep' }));
    const fine = Buffer.from(`${'['.repeat(1000)}${']'.repeat(1000)}`);
    expect(JSON.stringify(Serde.json()(fine, record))).toBe(fine.toString());
  });

  it('refuses an integer beyond 2^53 - 1 (reason unsafe-integer) instead of rounding it to another number; long digit runs in text and safe integers are read', () => {
    for (const text of ['{"id":18446744073709551615}', '{"a":[1,{"n":-9007199254740993}]}', '9007199254740993']) {
      expect(() => Serde.json()(Buffer.from(text), record)).toThrow(expect.objectContaining({ reason: 'unsafe-integer' }));
    }
    expect(() => Serde.json()(Buffer.from('{"id":18446744073709551615}'), record)).toThrow('member "id" is the integer 18446744073709551615');
    expect(Serde.json()(Buffer.from('{"uid":"18446744073709551615","n":9007199254740991,"x":1.5e300,"y":12345678901234567.5}'), record)).toEqual({ uid: '18446744073709551615', n: 9007199254740991, x: 1.5e300, y: 12345678901234567.5 });
  });
});

describe('Serde.string', () => {
  it('refuses bytes that are not valid UTF-8 (a dead letter, reason invalid-utf8) instead of decoding them with U+FFFD', () => {
    expect(Serde.string()(Buffer.from('caf\u00e9 \u20ac'), record)).toBe('caf\u00e9 \u20ac');
    expect(Serde.string()(null, record)).toBeNull();
    for (const bytes of [Buffer.from([0xc3]), Buffer.from([0x61, 0xff, 0x62]), Buffer.from([0xed, 0xa0, 0x80])]) {
      const error = (() => {
        try {
          Serde.string()(bytes, record);
          return null;
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(DeserializationError);
      expect(error).toMatchObject({ reason: 'invalid-utf8' });
    }
  });
});
