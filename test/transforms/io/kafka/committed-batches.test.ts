import { describe, expect, it } from 'vitest';
import { committedBatches, type FetchedBatch } from '../../../../transforms/io/kafka/platformatic/committed-batches.js';

/** A data batch of `count` records at `offset` by producer `pid` (transactional unless `plain`). */
const data = (offset: number, count: number, pid: number, plain = false): FetchedBatch & { tag: string } => ({
  tag: `${pid}@${offset}`,
  firstOffset: BigInt(offset),
  lastOffsetDelta: count - 1,
  attributes: plain ? 0 : 0x10,
  producerId: BigInt(pid),
  records: Array.from({ length: count }, () => ({ key: null })),
});
/** A transaction marker of producer `pid` at `offset`. */
const marker = (offset: number, pid: number, kind: 'abort' | 'commit'): FetchedBatch & { tag: string } => {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(kind === 'abort' ? 0 : 1, 2);
  return { tag: `${kind}${pid}@${offset}`, firstOffset: BigInt(offset), lastOffsetDelta: 0, attributes: 0x30, producerId: BigInt(pid), records: [{ key }] };
};
const aborted = (pid: number, firstOffset: number) => ({ producerId: BigInt(pid), firstOffset: BigInt(firstOffset) });
const tags = (r: { batches: Array<{ tag: string }> }) => r.batches.map((b) => b.tag);

describe('committedBatches (read_committed filtering of a Fetch answer)', () => {
  it('drops every aborted transaction of one producer, also when it aborted twice in the fetched range (the library keeps only the last)', () => {
    const batches = [data(0, 2, 7), marker(2, 7, 'abort'), data(3, 1, 7), marker(4, 7, 'abort'), data(5, 1, 7), marker(6, 7, 'commit')];
    const r = committedBatches(batches, [aborted(7, 0), aborted(7, 3)], 0n);
    expect(tags(r)).toEqual(['7@5']);
    expect(r.nextOffset).toBe(7n);
  });

  it("keeps other producers' records between an aborted transaction's start and its marker", () => {
    const batches = [data(10, 3, 1), data(13, 2, 2), marker(15, 1, 'abort'), marker(16, 2, 'commit'), data(17, 1, 1), marker(18, 1, 'commit')];
    expect(tags(committedBatches(batches, [aborted(1, 10)], 10n))).toEqual(['2@13', '1@17']);
  });

  it('an aborted transaction that started before the fetch offset is dropped from the first batch on', () => {
    const batches = [data(20, 2, 4), marker(22, 4, 'abort'), data(23, 1, 4), marker(24, 4, 'commit')];
    expect(tags(committedBatches(batches, [aborted(4, 12)], 20n))).toEqual(['4@23']);
  });

  it('an aborted transaction whose marker lies beyond the answer (cut by max bytes) is dropped all the same', () => {
    expect(tags(committedBatches([data(0, 5, 3), data(5, 5, 3)], [aborted(3, 0)], 0n))).toEqual([]);
  });

  it('a non-transactional (idempotent) batch is never dropped, whatever its producer id', () => {
    expect(tags(committedBatches([data(0, 2, 9, true), marker(2, 9, 'abort')], [aborted(9, 0)], 0n))).toEqual(['9@0']);
  });

  it('markers only: nothing to hand out, but the next offset moves past them', () => {
    const r = committedBatches([marker(40, 1, 'commit'), marker(41, 2, 'commit')], null, 40n);
    expect(r.batches).toEqual([]);
    expect(r.nextOffset).toBe(42n);
    expect(committedBatches([], undefined, 40n).nextOffset).toBe(40n);
  });
});
