import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZeekHeader } from '../../../transforms/io/zeek-header.js';
import { secondsToMillis, zeekValue } from '../../../transforms/io/zeek-value.js';
import { parseJsonObject } from '../../../transforms/io/exact-json.js';

const header = new ZeekHeader();

describe('zeekValue', () => {
  it.each([
    ['1655071209.953394', 'time', 1655071209953.394],
    ['1655071209', 'time', 1655071209000],
    ['2022-06-12T22:00:09.953394Z', 'time', 1655071209953.394],
    ['0.000002', 'interval', 0.002],
    ['-1.5', 'interval', -1500],
    ['9007199254740991', 'count', 9007199254740991],
    ['443', 'port', 443],
    ['-3', 'int', -3],
    ['1.25e3', 'double', 1250],
    ['-.5', 'double', -0.5],
    ['1e-05', 'double', 0.00001],
    ['7.', 'double', 7],
    ['T', 'bool', true],
    ['F', 'bool', false],
    ['10.0.0.1', 'addr', '10.0.0.1'],
    ['a\\x09b\\x2cc', 'string', 'a\tb,c'],
    ['(empty)', 'string', ''],
    ['(empty)', 'set[string]', []],
    ['(empty)', 'vector[count]', []],
    ['a,b', 'set[string]', ['a', 'b']],
    ['1,2', 'vector[count]', [1, 2]],
    ['1.5,2', 'vector[interval]', [1500, 2000]],
  ])('%s as %s is %j', (text, type, value) => {
    expect(zeekValue(text, type, header)).toEqual({ ok: true, value });
  });

  it('the unset field is undefined whatever the type', () => {
    for (const type of ['time', 'count', 'string', 'set[string]', 'bool']) expect(zeekValue('-', type, header)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['yesterday', 'time'],
    ['1.5', 'count'],
    ['-1', 'count'],
    ['', 'port'],
    ['x', 'double'],
    ['inf', 'double'],
    ['0x10', 'double'], // Number() read it as 16
    [' 5', 'double'], // Number() read it as 5
    ['1e400', 'double'],
    ['0b11', 'double'],
    ['1,0x10', 'vector[double]'],
    ['yes', 'bool'],
    ['1,x', 'vector[count]'],
    ['(empty)', 'count'],
  ])('%j is not a Zeek %s', (text, type) => {
    const r = zeekValue(text, type, header);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('malformed-value');
    const item = /^vector\[(.*)\]$/.exec(type);
    expect(r.message).toBe(item ? `${JSON.stringify(text.split(',')[1])} is not a Zeek ${item[1]!}` : `${JSON.stringify(text)} is not a Zeek ${type}`);
  });

  it('a count beyond 2^53 - 1 is refused as unsafe-integer, never rounded', () => {
    expect(zeekValue('9007199254740993', 'count', header)).toMatchObject({ ok: false, reason: 'unsafe-integer' });
    expect(zeekValue('-9007199254740993', 'int', header)).toMatchObject({ ok: false, reason: 'unsafe-integer' });
    expect(zeekValue('1,18446744073709551615', 'vector[count]', header)).toMatchObject({ ok: false, reason: 'unsafe-integer' });
  });

  it('seconds to ms is exact to the micro-second (the decimal digits, not a float product)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800 }), fc.integer({ min: 0, max: 999_999 }), (s, us) => {
        const text = `${s}.${String(us).padStart(6, '0')}`;
        // The double nearest the decimal value in ms (a float sum such as 8603 + 0.906 can be one ulp off it).
        expect(secondsToMillis(text)).toBe(Number(`${s * 1000 + Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`));
      }),
    );
    expect(secondsToMillis('8.603906')).toBe(8603.906);
  });
});

describe('parseJsonObject', () => {
  it('refuses an integer JSON.parse would round, naming the member; keeps everything else', () => {
    expect(parseJsonObject('{"a":{"b":[1,9007199254740993]}}')).toMatchObject({ ok: false, reason: 'unsafe-integer', message: expect.stringContaining('"1" is the integer 9007199254740993') });
    expect(parseJsonObject('{"a":9007199254740991,"b":1e300,"c":1.5}')).toEqual({ ok: true, value: { a: 9007199254740991, b: 1e300, c: 1.5 } });
    expect(parseJsonObject('[1]')).toMatchObject({ ok: false, reason: 'malformed-json', message: 'not a JSON object' });
    expect(parseJsonObject('{"a":')).toMatchObject({ ok: false, reason: 'malformed-json' });
  });
});
