import { isDeepStrictEqual, inspect } from 'node:util';
import { serialize, deserialize } from 'node:v8';
import { VirtualClock } from '../../sdk/clock.js';
import type { ReadPayload } from '../../sdk/graph.js';
import type { Source, SourceBatch, SourceReader } from '../../sdk/io/source.js';
import { Pipeline } from '../../sdk/pipeline.js';
import type { PCollection } from '../../sdk/pcollection.js';
import type { PTransform } from '../../sdk/ptransform.js';
import type { SourceProgress } from '../../sdk/run-observer.js';
import { SourcePump } from '../../runners/core/source-pump.js';

/** The Source behind a reading transform (e.g. `Generate.of(...)`), taken from the graph it builds. */
export function sourceOf<T>(read: PTransform<Pipeline, PCollection<T>>): Source<T> {
  const p = Pipeline.create({});
  p.apply('Read', read);
  const node = p.graph().primitives.find((n) => n.payload?.kind === 'read');
  if (!node) throw new Error('the transform has no read step');
  return (node.payload as ReadPayload).source as Source<T>;
}

/** Opens `source` as a runner would, optionally resuming from `resumeFrom`. */
export function openSource<T>(source: Source<T>, resumeFrom?: unknown, clock = new VirtualClock(0)): Promise<SourceReader<T>> {
  return source.open({ step: 'Read', clock, signal: new AbortController().signal, resumeFrom });
}

/** Everything a batch carries that a resumed read must reproduce (values with timestamps, dead letters, watermark). */
export interface Observed {
  readonly elements: [unknown, number][];
  readonly deadLetters: unknown[];
  readonly watermarks: number[];
}

export function emptyObserved(): Observed {
  return { elements: [], deadLetters: [], watermarks: [] };
}

export function observe(into: Observed, b: SourceBatch<unknown>): void {
  for (const e of b.elements) into.elements.push([e.value, e.timestamp]);
  if (b.columns) for (let i = 0; i < b.columns.values.length; i++) into.elements.push([b.columns.values[i], b.columns.timestamps[i]!]);
  if (b.deadLetters) into.deadLetters.push(...b.deadLetters);
  into.watermarks.push(b.watermark);
}

/** Polls `reader` (batches of `size`) until done, into `into`, and closes it. */
export async function drain(reader: SourceReader<unknown>, size: number, into: Observed = emptyObserved(), maxPolls = 1_000_000): Promise<Observed> {
  try {
    for (let i = 0; i < maxPolls; i++) {
      const b = await reader.poll(size, 0);
      observe(into, b);
      if (b.done) return into;
    }
    throw new Error(`not done after ${maxPolls} polls`);
  } finally {
    await reader.close();
  }
}

/**
 * A checkpointed position as it comes back from a v8-serialised checkpoint. Checks on the way that
 * it is plain data JSON keeps exactly too (a checkpoint manifest is JSON).
 * @throws Error when JSON changes it (undefined members, NaN, ±Infinity, class instances).
 */
export function throughCheckpoint(p: unknown): unknown {
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(p) ?? 'null'), p)) throw new Error(`position is not plain JSON data: ${inspect(p)}`);
  return deserialize(serialize(p));
}

/**
 * Reads `source` through a SourcePump with a large read-ahead buffer, takes `take` batches, and
 * returns what they held, the pump's position (of what was taken) and the reader's own position
 * (read ahead), after the pump has read ahead as far as it can.
 */
export async function takeThroughPump(source: Source<unknown>, take: number, pollSize: number, capacity = 1_000_000): Promise<{ taken: Observed; position: unknown; readerPosition: unknown; takenAll: boolean }> {
  const reader = await openSource(source);
  const pump = new SourcePump(reader, capacity, pollSize, 0, 'Read', () => new Promise((r) => setImmediate(r)));
  const taken = emptyObserved();
  pump.start();
  // Let the pump read ahead until it has read everything or filled its buffer.
  const pumpState = pump as unknown as { ended: boolean; buffered: number };
  while (!pumpState.ended && pumpState.buffered < capacity) await new Promise((r) => setTimeout(r, 1));
  let takenAll = false;
  for (let i = 0; i < take; i++) {
    const b = pump.take();
    if (!b) break;
    observe(taken, b);
    if (b.done) {
      takenAll = true;
      break;
    }
  }
  const position = throughCheckpoint(pump.position);
  const readerPosition = reader.position?.();
  pump.stop();
  await reader.close();
  return { taken, position, readerPosition, takenAll };
}

/** Concatenates observations (a read in parts). */
export function concat(a: Observed, b: Observed): Observed {
  return { elements: [...a.elements, ...b.elements], deadLetters: [...a.deadLetters, ...b.deadLetters], watermarks: [...a.watermarks, ...b.watermarks] };
}

/** Opens `source` and polls it `size` elements at a time to its end (at most `polls` times): its `progress()` before and after each poll. */
export async function progressOf(source: Source<unknown>, size: number, polls = 100): Promise<(SourceProgress | undefined)[]> {
  const reader = await openSource(source);
  const seen = [reader.progress?.()];
  try {
    for (let i = 0; i < polls; i++) {
      const b = await reader.poll(size, 10);
      seen.push(reader.progress?.());
      if (b.done) break;
    }
  } finally {
    await reader.close();
  }
  return seen;
}
