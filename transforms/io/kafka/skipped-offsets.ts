/**
 * The offset ranges of one partition that a Kafka read skipped between consecutive batches
 * (normally offsets without records: transaction markers, aborted or compacted records), so a
 * record that arrives later in one of them can be told from a duplicate of a record already read.
 * Keeps the most recent `limit` ranges (a reordering is between neighbouring batches).
 *
 * @example
 * ```ts
 * const s = new SkippedOffsets();
 * s.add('5', '9');          // a batch ended at 4, the next began at 10
 * s.includes('7');          // true: offset 7 was never read
 * s.includes('3');          // false
 * ```
 */
export class SkippedOffsets {
  private readonly ranges: Array<readonly [bigint, bigint]> = [];

  constructor(private readonly limit = 64) {}

  /** Records that offsets `from..to` (inclusive, decimal strings, from <= to) were skipped. */
  add(from: string, to: string): void {
    this.ranges.push([BigInt(from), BigInt(to)]);
    if (this.ranges.length > this.limit) this.ranges.shift();
  }

  /** Whether `offset` lies in a skipped range. */
  includes(offset: string): boolean {
    const o = BigInt(offset);
    return this.ranges.some(([a, b]) => a <= o && o <= b);
  }
}
