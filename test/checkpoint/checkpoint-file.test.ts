import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import { decodeSegment, encodeCheckpointFile, readCheckpointFile, verifySegment } from '../../runners/core/checkpoint/checkpoint-file.js';
import { isUuidV7, newUuidV7, uuidV7Time } from '../../runners/core/checkpoint/checkpoint-id.js';
import { CHECKPOINT_VERSION } from '../../runners/core/checkpoint/manifest.js';
import { CheckpointVersionError, CorruptCheckpointError } from '../../sdk/errors.js';
import { concat, draft, segments } from './support.js';

const NAME = 'checkpoints/ck-000000000007';
const draft7 = draft(7);
const encoded = encodeCheckpointFile(draft7, segments(7));
const file = concat(encoded.parts);

/** The reason readCheckpointFile gives for `bytes`, or 'ok'. */
function verdict(bytes: Buffer): string {
  try {
    readCheckpointFile(NAME, bytes);
    return 'ok';
  } catch (e) {
    if (e instanceof CorruptCheckpointError) return e.reason;
    throw e;
  }
}

/** Rewrites the trailer's checksum so only the change under test is wrong. */
function resealed(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  out.writeUInt32LE(crc32c(out.subarray(0, out.length - 12)), out.length - 12);
  return out;
}

describe('checkpoint file', () => {
  it('round-trips the manifest and every segment', () => {
    expect(encoded.bytes).toBe(file.length);
    const back = readCheckpointFile(NAME, file);
    expect(back.manifest).toEqual({ format: 'watershed-checkpoint', version: 1, ...draft7, segments: encoded.manifest.segments });
    expect(back.manifest.segments.map((s) => [s[0], s[1], s[3]])).toEqual([
      ['Count', 'windows', 'window-state/v1'],
      ['Count', 'windows', 'window-state/v1'],
      ['Count', 'operator', 'v8/v1'],
    ]);
    expect(back.entries(0)).toEqual([['user-a', '0:3000', expect.objectContaining({ k: 'user-a', acc: 7 })]]);
    expect(back.entries(2)).toEqual([[null, '', { inputWm: 2999, pushedBack: [], seq: 7 }]]);
    expect(() => back.segment(3)).toThrow(RangeError);
  });

  it('detects truncation at every byte', () => {
    const reasons = new Set<string>();
    for (let n = 0; n < file.length; n++) reasons.add(verdict(file.subarray(0, n)));
    expect([...reasons]).toEqual(['truncated']);
  });

  it('detects bytes appended after the end', () => {
    expect(verdict(Buffer.concat([file, Buffer.from('\n')]))).toBe('truncated');
  });

  it('detects one flipped bit anywhere in the file, and never reads a damaged file as valid', () => {
    const reasons = new Set<string>();
    for (let i = 0; i < file.length; i++) {
      const bad = Buffer.from(file);
      bad[i]! ^= 1 << (i % 8);
      const r = verdict(bad);
      expect(r, `bit flipped in byte ${i}`).not.toBe('ok');
      reasons.add(r);
    }
    expect([...reasons].sort()).toEqual(['bad-magic', 'crc32c-mismatch', 'truncated']);
  });

  it('detects a flipped bit in each segment by the file checksum, and by the segment checksum alone', () => {
    const refs = encoded.manifest.segments;
    const start = file.length - 20 - refs.reduce((a, r) => a + r[5], 0);
    for (const ref of refs) {
      const bad = Buffer.from(file);
      bad[start + ref[4] + (ref[5] >> 1)]! ^= 0x10;
      expect(verdict(bad)).toBe('crc32c-mismatch');
      // a reader that fetched only this segment still catches it
      const segment = bad.subarray(start + ref[4], start + ref[4] + ref[5]);
      expect(() => verifySegment(NAME, ref, segment)).toThrow(expect.objectContaining({ reason: 'bad-segment', message: expect.stringContaining(`step '${ref[0]}'`) }));
      expect(verifySegment(NAME, ref, file.subarray(start + ref[4], start + ref[4] + ref[5]))).toHaveLength(ref[5]);
    }
  });

  it('gives a CheckpointVersionError for an intact file of another format version', () => {
    const v2 = Buffer.from(file);
    v2.write('02', 6, 'latin1');
    let error: unknown;
    try {
      readCheckpointFile(NAME, resealed(v2));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointVersionError);
    expect(error).toMatchObject({ found: 2, supported: CHECKPOINT_VERSION, checkpoint: NAME, code: 'CHECKPOINT_VERSION' });
    expect((error as Error).message).toMatch(/format version 2.*reads version 1.*--checkpointDir/);
    // the same change without a matching checksum is damage, not another version
    expect(verdict(v2)).toBe('crc32c-mismatch');
  });

  it('rejects a manifest that is not what this version writes (bad-manifest), naming the field', () => {
    const bad = encodeCheckpointFile({ ...draft(7), checkpointId: 'not-a-uuid' }, segments(7));
    expect(() => readCheckpointFile(NAME, concat(bad.parts))).toThrow(/bad-manifest.*checkpointId/);
    const badStep = encodeCheckpointFile({ ...draft(7), steps: { X: { kind: 'teleport' as never, fingerprint: '' } } }, []);
    expect(() => readCheckpointFile(NAME, concat(badStep.parts))).toThrow(/step "X" is malformed/);
    // a step's counters must point at one of the file's segments
    const badMetrics = encodeCheckpointFile({ ...draft(7), steps: { ...draft(7).steps, Read: { ...draft(7).steps['Read']!, metrics: 3 } } }, segments(7));
    expect(() => readCheckpointFile(NAME, concat(badMetrics.parts))).toThrow(/step "Read" is malformed/);
    const noJson = Buffer.from(file);
    noJson.write('}', 12, 'latin1');
    expect(verdict(resealed(noJson))).toBe('bad-manifest');
  });

  it('names an unknown codec or undecodable segment as bad-segment', () => {
    const s = segments(7);
    const withUnknown = encodeCheckpointFile(draft(7), [s[0]!, s[1]!, { ...s[2]!, codec: 'json/v9' }]);
    const back = readCheckpointFile(NAME, concat(withUnknown.parts));
    expect(() => back.entries(2)).toThrow(/bad-segment.*json\/v9/);
    const garbage = Buffer.from('garbage');
    const ref = ['Count', 'windows', 3, 'window-state/v1', 0, garbage.length, crc32c(garbage)] as const;
    expect(() => decodeSegment(NAME, [...ref], garbage)).toThrow(CorruptCheckpointError);
  });
});

describe('checkpoint ids', () => {
  it('are uuid v7 carrying the injected time', () => {
    const id = newUuidV7(1_700_000_123_456);
    expect(isUuidV7(id)).toBe(true);
    expect(uuidV7Time(id)).toBe(1_700_000_123_456);
    expect(newUuidV7(0)).not.toBe(newUuidV7(0));
    expect(isUuidV7('00000000-0000-4000-8000-000000000000')).toBe(false);
    for (const bad of [-1, 1.5, 2 ** 48, NaN]) expect(() => newUuidV7(bad)).toThrow(RangeError);
  });
});
