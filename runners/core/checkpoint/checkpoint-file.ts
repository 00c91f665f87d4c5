import { crc32c } from '@node-rs/crc32';
import { CheckpointVersionError, CorruptCheckpointError } from '../../../sdk/errors.js';
import { codecNamed } from './codecs/codecs.js';
import { StateCodecError, type StateEntry } from './codecs/state-codec.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, validateManifest, type CheckpointManifest, type ManifestDraft, type SegmentRef } from './manifest.js';

/*
 * One checkpoint is one file (all integers little-endian):
 *
 *   "WSCKPT" + 2 ASCII digits of the format version   8 bytes
 *   u32 manifest length                                4 bytes
 *   manifest (UTF-8 JSON)
 *   segments, concatenated (offsets in the manifest count from here)
 *   u64 total file length                              8 bytes
 *   u32 crc32c of every byte before this field         4 bytes
 *   "WSCKEND1"                                         8 bytes
 *
 * This envelope (magics, length, checksum) is the same in every format version, so a reader can
 * tell a damaged file (CorruptCheckpointError) from an intact file of another version
 * (CheckpointVersionError). Each segment also has its own crc32c in the manifest, so a reader that
 * fetches only some segments (a worker's own key groups, from an object store) can verify them.
 */
const HEADER_MAGIC = 'WSCKPT';
const TRAILER_MAGIC = Buffer.from('WSCKEND1', 'latin1');
const HEADER_BYTES = 12;
const TRAILER_BYTES = 20;

/** One segment to write: encoded state of one (step, table, key group), or of one operator (keyGroup null). */
export interface SegmentPayload {
  readonly step: string;
  readonly table: string;
  readonly keyGroup: number | null;
  readonly codec: string;
  readonly bytes: Uint8Array;
}

/** A checkpoint ready to hand to a store: its parts in order (no copy of the segments), size and manifest. */
export interface EncodedCheckpoint {
  readonly parts: readonly Uint8Array[];
  readonly bytes: number;
  readonly manifest: CheckpointManifest;
}

/**
 * Frames a manifest and its segments as one checkpoint file.
 * @example const { parts } = encodeCheckpointFile(draft, [{ step: 'Count', table: 'windows', keyGroup: 7, codec: 'window-state/v1', bytes }]);
 */
export function encodeCheckpointFile(draft: ManifestDraft, segments: readonly SegmentPayload[]): EncodedCheckpoint {
  let offset = 0;
  const refs: SegmentRef[] = segments.map((s) => {
    const ref: SegmentRef = [s.step, s.table, s.keyGroup, s.codec, offset, s.bytes.length, crc32c(s.bytes)];
    offset += s.bytes.length;
    return ref;
  });
  const manifest: CheckpointManifest = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...draft, segments: refs };
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(HEADER_MAGIC + String(CHECKPOINT_VERSION).padStart(2, '0'), 0, 'latin1');
  header.writeUInt32LE(json.length, 8);
  const total = HEADER_BYTES + json.length + offset + TRAILER_BYTES;
  const trailer = Buffer.alloc(TRAILER_BYTES);
  trailer.writeBigUInt64LE(BigInt(total), 0);
  let crc = crc32c(json, crc32c(header));
  for (const s of segments) crc = crc32c(s.bytes, crc);
  crc = crc32c(trailer.subarray(0, 8), crc);
  trailer.writeUInt32LE(crc, 8);
  TRAILER_MAGIC.copy(trailer, 12);
  return { parts: [header, json, ...segments.map((s) => s.bytes), trailer], bytes: total, manifest };
}

/** A verified checkpoint file: its manifest, and its segments on demand. */
export interface CheckpointFile {
  readonly name: string;
  readonly manifest: CheckpointManifest;
  /** The bytes of segment `i` (a view into the file), checked against its own crc32c. */
  segment(i: number): Buffer;
  /** Segment `i` decoded with the codec it names. */
  entries(i: number): StateEntry[];
}

/**
 * Reads and verifies a whole checkpoint file, in this order: size, magics, recorded length (catches
 * truncation), crc32c of the file, format version, manifest.
 * @throws CorruptCheckpointError with reason `truncated`, `bad-magic`, `crc32c-mismatch` or `bad-manifest`.
 * @throws CheckpointVersionError when an intact file has another format version.
 */
export function readCheckpointFile(name: string, file: Buffer): CheckpointFile {
  const corrupt = (reason: ConstructorParameters<typeof CorruptCheckpointError>[1], detail: string): never => {
    throw new CorruptCheckpointError(name, reason, detail);
  };
  const size = file.length;
  if (size < HEADER_BYTES + TRAILER_BYTES) corrupt('truncated', `${size} bytes is shorter than an empty checkpoint (${HEADER_BYTES + TRAILER_BYTES})`);
  if (file.toString('latin1', 0, HEADER_MAGIC.length) !== HEADER_MAGIC) corrupt('bad-magic', 'it does not start with "WSCKPT"; not a checkpoint file');
  if (!file.subarray(size - 8).equals(TRAILER_MAGIC)) corrupt('truncated', 'the end marker "WSCKEND1" is missing: the file was cut short or appended to');
  const recorded = file.readBigUInt64LE(size - TRAILER_BYTES);
  if (recorded !== BigInt(size)) corrupt('truncated', `the file has ${size} bytes, its trailer records ${recorded}`);
  const stored = file.readUInt32LE(size - 12);
  const actual = crc32c(file.subarray(0, size - 12));
  if (stored !== actual) corrupt('crc32c-mismatch', `stored ${hex(stored)}, computed ${hex(actual)}`);

  const versionText = file.toString('latin1', HEADER_MAGIC.length, 8);
  const version = /^\d\d$/.test(versionText) ? Number(versionText) : NaN;
  if (Number.isNaN(version)) corrupt('bad-magic', `version field ${JSON.stringify(versionText)} is not two digits`);
  if (version !== CHECKPOINT_VERSION) throw new CheckpointVersionError(name, version, CHECKPOINT_VERSION);

  const manifestLength = file.readUInt32LE(8);
  const segmentsStart = HEADER_BYTES + manifestLength;
  const segmentsEnd = size - TRAILER_BYTES;
  if (segmentsStart > segmentsEnd) corrupt('bad-manifest', `manifest length ${manifestLength} runs past the end of the file`);
  let json: unknown;
  try {
    json = JSON.parse(file.toString('utf8', HEADER_BYTES, segmentsStart));
  } catch (e) {
    corrupt('bad-manifest', `the manifest is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const manifest = validateManifest(name, json, segmentsEnd - segmentsStart);
  const segments = file.subarray(segmentsStart, segmentsEnd);
  const ref = (i: number): SegmentRef => {
    const r = manifest.segments[i];
    if (r === undefined) throw new RangeError(`checkpoint ${name} has no segment ${i} (it has ${manifest.segments.length})`);
    return r;
  };
  const bytesOf = (i: number): Buffer => {
    const r = ref(i);
    return verifySegment(name, r, segments.subarray(r[4], r[4] + r[5]));
  };
  return { name, manifest, segment: bytesOf, entries: (i) => decodeSegment(name, ref(i), bytesOf(i)) };
}

/**
 * Checks one segment's bytes against its reference (for readers that fetch segments one by one) and
 * returns them.
 * @throws CorruptCheckpointError (reason `bad-segment`) on a length or crc32c mismatch.
 */
export function verifySegment(name: string, ref: SegmentRef, bytes: Buffer): Buffer {
  const [step, table, group, , , length, crc] = ref;
  const where = `segment ${table} of step '${step}'${group === null ? '' : ` (key group ${group})`}`;
  if (bytes.length !== length) throw new CorruptCheckpointError(name, 'bad-segment', `${where} has ${bytes.length} bytes, the manifest records ${length}`);
  const actual = crc32c(bytes);
  if (actual !== crc) throw new CorruptCheckpointError(name, 'bad-segment', `${where}: crc32c stored ${hex(crc)}, computed ${hex(actual)}`);
  return bytes;
}

/**
 * Decodes verified segment bytes with the codec the reference names.
 * @throws CorruptCheckpointError (reason `bad-segment`) for an unknown codec or bytes the codec rejects.
 */
export function decodeSegment(name: string, ref: SegmentRef, bytes: Buffer): StateEntry[] {
  const [step, table, group, codecName] = ref;
  const where = `segment ${table} of step '${step}'${group === null ? '' : ` (key group ${group})`}`;
  const codec = codecNamed(codecName);
  if (!codec) throw new CorruptCheckpointError(name, 'bad-segment', `${where} uses codec "${codecName}", which this Watershed does not know`);
  try {
    return codec.decode(bytes);
  } catch (e) {
    if (e instanceof StateCodecError) throw new CorruptCheckpointError(name, 'bad-segment', `${where}: ${e.message}`, { cause: e });
    throw e;
  }
}

function hex(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
