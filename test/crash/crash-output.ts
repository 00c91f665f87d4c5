/**
 * Reading a crash job's output back as a sorted multiset, the way a consumer sees it: a topic with a
 * read_committed consumer (aborted and open transactions never show), a TextFile sink's folder as its
 * finished part files only (hidden in-progress and superseded files are not output), or one file.
 * And comparing two such multisets.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { hiddenFiles, listParts, readPartLines } from '../support/read-parts.js';
import { createPlatformaticClientFactory } from '../../transforms/io/kafka/platformatic-client.js';

/**
 * Every record of `topic` as a read_committed consumer sees it, through `normalize`, sorted. Reads
 * until `expected` records arrived and then 1.5 s more (duplicates would show up then), or until
 * 30 s pass without a record.
 */
export async function readCommittedRecords(brokers: string, topic: string, expected: number, normalize: (value: string) => string): Promise<string[]> {
  // The default client: kafkajs 2.2.4 shows records of a transaction aborted by fencing when another
  // producer's commit marker lies inside it (test/kafka/kafka-read-committed.test.ts), which made a crash
  // chain look duplicated although the broker's log holds ABORT markers for them.
  const kafka = createPlatformaticClientFactory({ brokers });
  const admin = kafka.admin();
  await admin.connect();
  let partitions: number;
  try {
    partitions = (await admin.fetchTopicOffsets(topic)).length;
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ readUncommitted: false, maxWaitTimeMs: 200, maxBytesPerPartition: 8 * 1024 * 1024 });
  const got: string[] = [];
  let failure: unknown = null;
  let lastAt = performance.now();
  await consumer.connect();
  try {
    await consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, startOffset: 'earliest' as const })));
    await consumer.run(
      async (b) => {
        for (const m of b.messages) got.push(normalize(m.value?.toString() ?? '<null>'));
        lastAt = performance.now();
      },
      { onError: (e) => (failure = e) },
    );
    while (got.length < expected && failure === null && performance.now() - lastAt < 30_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1_500));
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return got.sort();
}

/** A TextFile sink's output as a reader sees it, and what else lies in its folder. */
export interface TextOutput {
  /** The lines (normalized, sorted): of the finished parts of a folder, or of a file. */
  readonly lines: string[];
  /** Hidden in-progress parts still in the folder (`.…inprogress`): none may be left after a run ended. */
  readonly inProgress: readonly string[];
  /** Visible names in the folder that are not finished parts (a partial file a reader would take as output). */
  readonly strays: readonly string[];
}

/** Reads `path` (a part folder, or one file; missing: no lines). */
export function readTextOutput(path: string, normalize: (line: string) => string): TextOutput {
  if (!existsSync(path)) return { lines: [], inProgress: [], strays: [] };
  if (!statSync(path).isDirectory()) {
    const text = readFileSync(path, 'utf8');
    return { lines: text === '' ? [] : text.replace(/\n$/, '').split('\n').map(normalize).sort(), inProgress: [], strays: [] };
  }
  const parts = new Set(listParts(path));
  return {
    lines: readPartLines(path).map(normalize).sort(),
    inProgress: hiddenFiles(path).filter((n) => n.endsWith('.inprogress')),
    strays: readdirSync(path).filter((n) => !n.startsWith('.') && !parts.has(n)),
  };
}

/** How two sorted multisets differ: records only in `expected` (lost), only in `actual` (extra or duplicated). */
export interface PairDiff {
  readonly equal: boolean;
  readonly expected: number;
  readonly actual: number;
  readonly missing: readonly string[];
  readonly extra: readonly string[];
  readonly missingCount: number;
  readonly extraCount: number;
}

/** Compares two sorted multisets, keeping the first `keep` differences of each kind. */
export function diffSorted(expected: readonly string[], actual: readonly string[], keep = 10): PairDiff {
  const missing: string[] = [];
  const extra: string[] = [];
  let missingCount = 0;
  let extraCount = 0;
  let i = 0;
  let j = 0;
  while (i < expected.length || j < actual.length) {
    const e = expected[i];
    const a = actual[j];
    if (e !== undefined && a !== undefined && e === a) {
      i++;
      j++;
    } else if (a === undefined || (e !== undefined && e < a)) {
      if (missing.length < keep) missing.push(e!);
      missingCount++;
      i++;
    } else {
      if (extra.length < keep) extra.push(a);
      extraCount++;
      j++;
    }
  }
  return { equal: missingCount === 0 && extraCount === 0, expected: expected.length, actual: actual.length, missing, extra, missingCount, extraCount };
}
