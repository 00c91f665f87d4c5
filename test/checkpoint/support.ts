import type { SegmentPayload } from '../../runners/core/checkpoint/checkpoint-file.js';
import { newUuidV7 } from '../../runners/core/checkpoint/checkpoint-id.js';
import { v8Codec } from '../../runners/core/checkpoint/codecs/v8-codec.js';
import { windowStateCodec } from '../../runners/core/checkpoint/codecs/window-state-codec.js';
import type { ManifestDraft } from '../../runners/core/checkpoint/manifest.js';
import type { WindowState } from '../../runners/core/driver/window-driver.js';
import { KEY_HASH, keyGroupOf } from '../../runners/core/state/key-groups.js';
import { UNFINISHED } from '../../sdk/internal/trigger-state.js';
import { intervalWindow } from '../../sdk/window.js';

export const JOB_ID = newUuidV7(1_700_000_000_000);

/** A manifest draft for checkpoint `seq` of a two-step job. */
export function draft(seq: number): ManifestDraft {
  return {
    jobId: JOB_ID,
    runId: 'run-1',
    checkpointId: newUuidV7(1_700_000_000_000 + seq),
    seq,
    kind: 'periodic',
    takenBy: 'native',
    takenAt: 1_700_000_000_000 + seq,
    keyGroups: 128,
    keyHash: KEY_HASH,
    steps: {
      Read: { kind: 'read', fingerprint: 'Generate', source: { position: { i: seq * 10 }, watermark: 2999, done: false } },
      Count: { kind: 'combine', fingerprint: 'FixedWindows(3000ms)|DefaultTrigger|discarding|lateness=0|END_OF_WINDOW', inputWm: 2999, outputWm: 2999, operator: 2 },
    },
  };
}

const w = intervalWindow(0, 3000);
const state = (k: string, n: number): WindowState => ({ w, k, acc: n, n, trig: UNFINISHED, pane: 0, nonSpec: 0, onTime: false, closed: false, outTs: w.maxTimestamp, hold: w.maxTimestamp, et: [w.maxTimestamp], pt: [], et0: w.maxTimestamp });

/** Segments of checkpoint `seq`: two key groups of window state and an operator snapshot. */
export function segments(seq: number): SegmentPayload[] {
  const a = 'user-a';
  const b = 'user-b';
  return [
    { step: 'Count', table: 'windows', keyGroup: keyGroupOf(a), codec: windowStateCodec.name, bytes: windowStateCodec.encode([[a, w.id, state(a, seq)]]) },
    { step: 'Count', table: 'windows', keyGroup: keyGroupOf(b), codec: windowStateCodec.name, bytes: windowStateCodec.encode([[b, w.id, state(b, seq + 1)]]) },
    { step: 'Count', table: 'operator', keyGroup: null, codec: v8Codec.name, bytes: v8Codec.encode([[null, '', { inputWm: 2999, pushedBack: [], seq }]]) },
  ];
}

/** The single file of checkpoint `seq`, as bytes. */
export function concat(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts as Uint8Array[]);
}
