import { describe, expect, it } from 'vitest';
import { exactIntegerField } from '../../../pipelines/netflow/exact-integer-field.js';

describe('exactIntegerField', () => {
  it('keeps every digit of ids above 2^53', () => {
    const json = '{"a":"x","eventid":9007199254740993,"b":1}';
    expect(JSON.parse(json).eventid).toBe(9007199254740992);
    expect(exactIntegerField(json, 'eventid')).toBe('9007199254740993');
  });

  it('reads only top-level members and skips look-alikes inside strings', () => {
    const json = '{"note":"\\"eventid\\":5","inner":{"eventid":6},"list":[{"eventid":7}], "eventid" : 8}';
    expect(exactIntegerField(json, 'eventid')).toBe('8');
  });

  it('returns undefined when the member is absent or not an integer literal', () => {
    expect(exactIntegerField('{"x":{"eventid":1}}', 'eventid')).toBeUndefined();
    expect(exactIntegerField('{"eventid":"12"}', 'eventid')).toBeUndefined();
    expect(exactIntegerField('{"eventid":1.5}', 'eventid')).toBeUndefined();
    expect(exactIntegerField('{"eventid":1e20}', 'eventid')).toBeUndefined();
  });
});
