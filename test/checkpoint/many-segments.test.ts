import { describe, expect, it } from 'vitest';
import { Engine } from '../../runners/core/engine.js';
import { MAX_KEY_GROUPS } from '../../runners/core/state/key-groups.js';
import { InMemoryStateBackend } from '../../runners/core/state/state-backend.js';
import { VirtualClock } from '../../sdk/clock.js';
import { Pipeline } from '../../sdk/pipeline.js';
import { Capture } from '../../sdk/testing/capture.js';
import { ENGINE_MODES, handRead } from './engine-harness.js';

/**
 * A snapshot with more segments than a function call takes arguments: the most key groups
 * (MAX_KEY_GROUPS, 32768) and several keyed tables with many keys, so well over 130,000 segments
 * (one per table and non-empty key group). Before, `Engine.capture` appended them with
 * `segments.push(...all)` and failed with "RangeError: Maximum call stack size exceeded": no
 * checkpoint could be taken, whatever the job did.
 */
describe('a snapshot with very many segments', () => {
  it('is captured and restored whole (keyGroups 32768, 6 tables of 40,000 keys)', async () => {
    const state = new InMemoryStateBackend();
    const TABLES = 6;
    const KEYS = 40_000;
    for (let t = 0; t < TABLES; t++) {
      const table = state.table<number>(`Step${t}`, 'user');
      for (let k = 0; k < KEYS; k++) table.set(k, 'global', k);
    }
    const p = Pipeline.create();
    handRead<number>(p, 'In').apply(Capture.records());
    const engine = new Engine(p.graph(), { clock: new VirtualClock(0), state, ...ENGINE_MODES.native });
    const snap = engine.capture({ keyGroups: MAX_KEY_GROUPS });
    const stateSegments = snap.segments.filter((s) => s.table === 'user');
    expect(stateSegments.length).toBeGreaterThan(130_000);
    const back = new InMemoryStateBackend();
    back.restoreSegments(snap.segments);
    for (let t = 0; t < TABLES; t++) {
      const table = back.table<number>(`Step${t}`, 'user');
      expect(table.get(0, 'global')).toBe(0);
      expect(table.get(KEYS - 1, 'global')).toBe(KEYS - 1);
    }
    expect(back.size()).toBe(TABLES * KEYS);
  }, 60_000);
});
