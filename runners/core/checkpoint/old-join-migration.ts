import type { PipelineGraph, TransformNode } from '../../../sdk/graph.js';
import type { StateKey } from '../../../sdk/kv.js';
import type { BoundedWindow } from '../../../sdk/window.js';
import type { WindowState } from '../driver/window-driver.js';
import type { SegmentPayload } from './checkpoint-file.js';
import { stepFingerprint } from './checkpoint-compat.js';
import { codecNamed } from './codecs/codecs.js';
import type { StateEntry } from './codecs/state-codec.js';
import type { EngineSnapshot } from './engine-snapshot.js';
import type { StepEntry } from './manifest.js';
import { ownField, setOwnField } from '../../../sdk/internal/own-field.js';

/** What `migrateOldJoins` did. */
export interface OldJoinMigration {
  /** The snapshot with every old join it could move in its new form (the input itself when none). */
  readonly snapshot: EngineSnapshot;
  /** The grouping steps of old joins it moved. */
  readonly migrated: readonly string[];
  /** Old joins it left as they were, by grouping step: why their state cannot be moved exactly. */
  readonly refused: ReadonlyMap<string, string>;
}

/** A CoGroupByKey's grouping step of today's expansion: a Combine right after a Flatten that tags its inputs. */
interface JoinStep {
  readonly node: TransformNode;
  /** The composite's name (`Join` for `Join/GroupByKey`). */
  readonly prefix: string;
  readonly tags: readonly string[];
}

const GROUPING = '/GroupByKey';

function joinSteps(graph: PipelineGraph): JoinStep[] {
  const out: JoinStep[] = [];
  for (const node of graph.primitives) {
    if (node.payload?.kind !== 'combine' || !node.fullName.endsWith(GROUPING)) continue;
    const input = node.inputs[0];
    const producer = input?.producer.payload;
    if (input?.tag !== 'main' || producer?.kind !== 'flatten' || producer.tags === undefined) continue;
    out.push({ node, prefix: node.fullName.slice(0, -GROUPING.length), tags: producer.tags });
  }
  return out;
}

/** Thrown inside the migration of one step: the reason it is refused. */
class NotMovable extends Error {}

/**
 * Moves the state of CoGroupByKey joins in a checkpoint written before session 9 changed the join's
 * expansion into the form today's join keeps, so that such a checkpoint restores (`Engine.restore`
 * calls this first). Before, `CoGroupByKey({ a, b })` applied as `Join` expanded to `Join/Tag.a`,
 * `Join/Tag.b` (stateless ParDos), `Join/Flatten`, `Join/GroupByKey` (a GroupByKey, kind `gbk`,
 * keeping per key and window the bag `[{ tag, value }, …]` in arrival order) and `Join/Split`
 * (stateless: `{ a: […], b: […] }` per pane); now `Join/GroupByKey` is a Combine (kind `combine`)
 * whose accumulator is `{ a: […], b: […] }` (transforms/internal/co-group-fn.ts). Both run on the
 * same window driver with the same windowing fingerprint, so the driver's timers, holds, trigger
 * states, pane indices and watermarks carry over as they are; only the values change form:
 * - a window's bag becomes one list per input, each in the bag's order (what Split made of it, and
 *   what the Combine would have filled: merging appends per input in the order the bag appended);
 * - in retracting mode, the last pane emitted (`last`) and the panes of merged windows still to be
 *   withdrawn (`retract`) become what Split had made of them, so that their retractions withdraw
 *   exactly what was emitted.
 * The Tag and Split steps held no state; their entries stay in the snapshot (a restore ignores the
 * entries of stateless steps the pipeline no longer has).
 *
 * A step is moved only when it is exactly the old expansion of this pipeline's join: the checkpoint
 * has `<join>/GroupByKey` of kind `gbk` with today's windowing fingerprint, a `<join>/Split` and a
 * `<join>/Tag.<input>` per input of today's join (no more, no fewer), and every value in its state is
 * a `{ tag, value }` of one of those inputs. Anything else is left as it is and named in `refused`
 * with the reason, and the restore refuses it (CheckpointMismatchError, `StepMismatch.reason`).
 * Pure: the snapshot given is not changed.
 * @throws StateCodecError when a segment of such a step cannot be decoded (a corrupt checkpoint).
 * @example
 * const { snapshot, migrated } = migrateOldJoins(pipeline.graph(), engineSnapshotOf(file));
 * // migrated: ['Join/GroupByKey']
 */
export function migrateOldJoins(graph: PipelineGraph, snapshot: EngineSnapshot): OldJoinMigration {
  const migrated: string[] = [];
  const refused = new Map<string, string>();
  let steps: Record<string, StepEntry> | undefined;
  let segments: SegmentPayload[] | undefined;
  for (const join of joinSteps(graph)) {
    const step = join.node.fullName;
    const entry = ownField(snapshot.steps, step);
    if (entry?.kind !== 'gbk') continue;
    try {
      const moved = moveJoin(join, entry, snapshot);
      steps ??= { ...snapshot.steps };
      segments ??= [...snapshot.segments];
      setOwnField(steps, step, moved.entry);
      for (const [i, seg] of moved.segments) segments[i] = seg;
      migrated.push(step);
    } catch (e) {
      if (!(e instanceof NotMovable)) throw e;
      refused.set(step, `a CoGroupByKey join written before its expansion changed (session 9), whose state cannot be moved exactly: ${e.message}`);
    }
  }
  return { snapshot: steps === undefined ? snapshot : { ...snapshot, steps, segments: segments! }, migrated, refused };
}

function moveJoin(join: JoinStep, entry: StepEntry, snapshot: EngineSnapshot): { entry: StepEntry; segments: [number, SegmentPayload][] } {
  const step = join.node.fullName;
  const fingerprint = stepFingerprint(join.node);
  if (entry.fingerprint !== fingerprint) throw new NotMovable(`its windowing changed too (${entry.fingerprint} → ${fingerprint})`);
  const q = (s: string) => `'${s}'`;
  if (ownField(snapshot.steps, `${join.prefix}/Split`)?.kind !== 'pardo') throw new NotMovable(`the checkpoint has no step ${q(`${join.prefix}/Split`)}, so it is not the old expansion of this join`);
  const tagPrefix = `${join.prefix}/Tag.`;
  const oldTags = Object.keys(snapshot.steps)
    .filter((s) => s.startsWith(tagPrefix) && !s.slice(tagPrefix.length).includes('/'))
    .map((s) => s.slice(tagPrefix.length));
  const sameInputs = oldTags.length === join.tags.length && join.tags.every((t) => oldTags.includes(t));
  if (!sameInputs) throw new NotMovable(`its inputs were ${oldTags.map(q).join(', ') || 'none'}, this join's are ${join.tags.map(q).join(', ')}`);
  const tags = new Set(join.tags);

  /** The old bag (or Split's input) `[{ tag, value }, …]` as today's lists `{ [tag]: values }`. */
  const lists = (bag: unknown, where: string): Record<string, unknown[]> => {
    if (!Array.isArray(bag)) throw new NotMovable(`${where} holds no list of tagged values`);
    const out: Record<string, unknown[]> = {};
    for (const t of join.tags) out[t] = [];
    for (const x of bag) {
      const tagged = x as { tag?: unknown; value?: unknown } | null;
      const own = typeof tagged === 'object' && tagged !== null ? Object.keys(tagged) : [];
      if (own.length !== 2 || !('value' in tagged!) || typeof tagged!.tag !== 'string' || !tags.has(tagged!.tag)) {
        throw new NotMovable(`${where} holds a value that is not a { tag, value } of one of its inputs`);
      }
      out[tagged!.tag]!.push(tagged!.value);
    }
    return out;
  };

  const moved: [number, SegmentPayload][] = [];
  snapshot.segments.forEach((seg, i) => {
    if (seg.step !== step || seg.keyGroup === null) return;
    if (seg.table !== 'windows') throw new NotMovable(`it holds a table '${seg.table}' that a GroupByKey does not`);
    const codec = codecNamed(seg.codec);
    if (codec === undefined) throw new NotMovable(`its segment of key group ${seg.keyGroup} has codec '${seg.codec}', which this version does not read`);
    const entries = codec.decode(seg.bytes) as StateEntry<WindowState>[];
    const out: StateEntry<WindowState>[] = entries.map(([key, ns, st]) => [key, ns, moveState(key, ns, st, lists)]);
    moved.push([i, { ...seg, bytes: codec.encode(out as StateEntry[]) }]);
  });
  return { entry: { ...entry, kind: 'combine', fingerprint }, segments: moved };
}

function moveState(key: StateKey, ns: string, st: WindowState, lists: (bag: unknown, where: string) => Record<string, unknown[]>): WindowState {
  const where = `the state of key ${JSON.stringify(key)} in window ${ns}`;
  if (typeof st !== 'object' || st === null) throw new NotMovable(`${where} is not a window state`);
  // Spread keeps every field and its order (the window-state codec stores own `last`/`retract` holding undefined).
  const next: WindowState = { ...st };
  // A closed window keeps no accumulator.
  if (st.acc !== undefined) next.acc = lists(st.acc, where);
  if (st.last !== undefined) next.last = { ...st.last, value: lists(st.last.value, `${where} (its last pane)`) };
  if (st.retract !== undefined) {
    next.retract = st.retract.map((r: { value: unknown; timestamp: number; window: BoundedWindow }) => ({ ...r, value: lists(r.value, `${where} (a merged pane to withdraw)`) }));
  }
  return next;
}
