import { DEFAULT_KEY_GROUPS, MAX_KEY_GROUPS } from '../state/key-groups.js';

/**
 * Which instance of a keyed stage owns which key groups (design: docs/design/scale-out.md §0, §3.2).
 *
 * A job has `G` key groups (`keyGroupOf`, 128 by default, fixed by the checkpoint format) and a keyed
 * stage runs as `n` instances, `1 ≤ n ≤ G`. Instance `i` owns one contiguous range of groups:
 *
 *     group g belongs to instance floor(g·n / G)
 *     instance i owns the groups [ceil(i·G / n), ceil((i+1)·G / n))
 *
 * The two say the same thing. For an integer `g`, `floor(g·n/G) = i` holds exactly when
 * `i ≤ g·n/G < i+1`, that is `i·G/n ≤ g < (i+1)·G/n`; an integer is at least a real `x` exactly when it
 * is at least `ceil(x)`, and below `x` exactly when it is below `ceil(x)`. So the ranges are
 * `[ceil(i·G/n), ceil((i+1)·G/n))`. They follow each other (one's end is the next one's start), the
 * first starts at 0 and the last ends at `G`, so they partition `0..G-1`. Consecutive bounds
 * `i·G/n` are `G/n ≥ 1` apart, so with `n ≤ G` no range is empty; every range holds `floor(G/n)` or
 * `ceil(G/n)` groups. This is the rule Flink uses for key groups and operator indexes (§8).
 *
 * Because ranges are contiguous and depend only on `(n, G)`, a checkpoint written by `n` instances
 * restores into `m`: each new instance reads the segments of its own range (its `KeyGroupRange` is a
 * valid `ownedGroups` filter of `StateBackend.restoreSegments`). Nothing here is wired into execution yet.
 *
 * @example
 * instanceOfGroup(keyGroupOf(encodeKey('10.0.0.1')), 3) // 0, 1 or 2, the same in every run and process
 * groupsOfInstance(1, 3)                             // { start: 43, end: 86, ... }: groups 43..85 of 128
 */

/** A contiguous run of key groups `[start, end)`; usable wherever a set of owned groups is asked for (`has`). */
export interface KeyGroupRange {
  /** The first group owned. */
  readonly start: number;
  /** One past the last group owned. */
  readonly end: number;
  /** `end - start`: at least 1. */
  readonly size: number;
  /** Whether `group` lies in `[start, end)`. */
  has(group: number): boolean;
  /** The groups `start, start+1, …, end-1`. */
  [Symbol.iterator](): IterableIterator<number>;
}

/** What a `KeyGroupRangeError` is about: the group count, the instance count, a group or an instance index. */
export type KeyGroupRangeProblem = 'groups' | 'instances' | 'group' | 'instance';

/** A key group count, instance count, group or instance index outside its range or not an integer. */
export class KeyGroupRangeError extends RangeError {
  override readonly name = 'KeyGroupRangeError';
  constructor(
    readonly problem: KeyGroupRangeProblem,
    readonly value: number,
    message: string,
  ) {
    super(message);
  }
}

function checkCounts(instances: number, groups: number): void {
  if (!Number.isInteger(groups) || groups < 1 || groups > MAX_KEY_GROUPS) {
    throw new KeyGroupRangeError('groups', groups, `key group count must be an integer in 1..${MAX_KEY_GROUPS}, got ${groups}`);
  }
  if (!Number.isInteger(instances) || instances < 1 || instances > groups) {
    throw new KeyGroupRangeError('instances', instances, `instance count must be an integer in 1..${groups} (the key group count: every instance owns at least one group), got ${instances}`);
  }
}

/**
 * The instance, of `instances`, that owns key group `group`: `floor(group·instances / groups)`.
 * @throws KeyGroupRangeError when `groups` is not an integer in 1..32768, `instances` not an integer in
 * 1..groups, or `group` not an integer in 0..groups-1.
 * @example instanceOfGroup(64, 2) // 1 (groups 64..127 of 128 go to instance 1)
 */
export function instanceOfGroup(group: number, instances: number, groups: number = DEFAULT_KEY_GROUPS): number {
  checkCounts(instances, groups);
  if (!Number.isInteger(group) || group < 0 || group >= groups) {
    throw new KeyGroupRangeError('group', group, `key group must be an integer in 0..${groups - 1}, got ${group}`);
  }
  // group·instances < 2^30: exact in a double, and the quotient of two such integers is never rounded up to the next integer.
  return Math.floor((group * instances) / groups);
}

/**
 * The key groups instance `instance` of `instances` owns: `[ceil(instance·groups / instances), ceil((instance+1)·groups / instances))`.
 * @throws KeyGroupRangeError when `groups` is not an integer in 1..32768, `instances` not an integer in
 * 1..groups, or `instance` not an integer in 0..instances-1.
 * @example groupsOfInstance(0, 3) // start 0, end 43 (43 groups); instance 1 gets 43..85, instance 2 gets 86..127
 */
export function groupsOfInstance(instance: number, instances: number, groups: number = DEFAULT_KEY_GROUPS): KeyGroupRange {
  checkCounts(instances, groups);
  if (!Number.isInteger(instance) || instance < 0 || instance >= instances) {
    throw new KeyGroupRangeError('instance', instance, `instance must be an integer in 0..${instances - 1}, got ${instance}`);
  }
  // ceil(a / b) for non-negative integers a, b ≥ 1, without floating rounding: floor((a + b - 1) / b).
  const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
  return keyGroupRange(ceilDiv(instance * groups, instances), ceilDiv((instance + 1) * groups, instances));
}

function keyGroupRange(start: number, end: number): KeyGroupRange {
  return {
    start,
    end,
    size: end - start,
    has: (group: number) => group >= start && group < end,
    *[Symbol.iterator]() {
      for (let g = start; g < end; g++) yield g;
    },
  };
}
