/**
 * Which record batches of one partition's Fetch answer a `read_committed` consumer hands out: no
 * control batches (transaction markers), and no transactional batch of an aborted transaction.
 *
 * Why here: @platformatic/kafka's fetch drops aborted records itself, but keeps one aborted range
 * per producer id, so when a producer aborted two transactions in the fetched range (a transactional
 * producer fenced twice, or aborting twice), the records of all but the last were handed out as if
 * committed. This follows the Java client (`CompletedFetch`): the answer lists the aborted
 * transactions (producer id, first offset) overlapping the fetched range; going through the batches
 * in offset order, a producer's transactional batches are aborted from that first offset until the
 * producer's ABORT marker.
 */

/** Record batch attribute bits (Kafka record batch v2). */
const IS_TRANSACTIONAL = 0x10;
const IS_CONTROL = 0x20;
/** Control record type in the key (int16 version, int16 type): 0 = ABORT, 1 = COMMIT. */
const CONTROL_ABORT = 0;

/** The parts of a fetched record batch this reads. */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly producerId: bigint;
  readonly records: ReadonlyArray<{ readonly key?: Buffer | null }>;
}

/** An aborted transaction as a Fetch answer lists it. */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/**
 * The batches to hand out (in their order) and the offset the partition's next fetch starts at
 * (after the last batch of the answer, handed out or not; `from` when the answer is empty).
 * @example committedBatches(part.records, part.abortedTransactions, 120n) // { batches: [...], nextOffset: 184n }
 */
export function committedBatches<B extends FetchedBatch>(
  batches: readonly B[],
  aborted: readonly AbortedTransaction[] | null | undefined,
  from: bigint,
): { readonly batches: B[]; readonly nextOffset: bigint } {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0));
  let next = 0;
  const abortedProducers = new Set<bigint>();
  const out: B[] = [];
  let nextOffset = from;
  for (const b of batches) {
    const last = b.firstOffset + BigInt(b.lastOffsetDelta);
    if (last + 1n > nextOffset) nextOffset = last + 1n;
    // Transactions that started at or before this batch's end are aborted for their producer from here on.
    while (next < pending.length && pending[next]!.firstOffset <= last) abortedProducers.add(pending[next++]!.producerId);
    if ((b.attributes & IS_CONTROL) !== 0) {
      if (isAbortMarker(b)) abortedProducers.delete(b.producerId);
      continue;
    }
    if ((b.attributes & IS_TRANSACTIONAL) !== 0 && abortedProducers.has(b.producerId)) continue;
    out.push(b);
  }
  return { batches: out, nextOffset };
}

function isAbortMarker(b: FetchedBatch): boolean {
  const key = b.records[0]?.key;
  return key != null && key.length >= 4 && key.readInt16BE(2) === CONTROL_ABORT;
}
