import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const PART = /^part-(\d+)-(\d{12})(?:\.|$)/;

/**
 * The finished part files of a TextFile sink's part folder (what a reader sees), in output order:
 * by checkpoint, then subtask. Hidden files (in progress, superseded) are left out.
 * @example listParts('out/flows.ndjson') // ['part-0-000000000001.ndjson', 'part-0-000000000003.ndjson']
 */
export function listParts(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => PART.test(n))
    .map((n) => {
      const m = PART.exec(n)!;
      return { n, seq: Number(m[2]), subtask: Number(m[1]) };
    })
    .sort((a, b) => a.seq - b.seq || a.subtask - b.subtask)
    .map((p) => p.n);
}

/** The parts' contents, concatenated in output order (UTF-8). */
export function readParts(dir: string): string {
  return listParts(dir)
    .map((n) => readFileSync(join(dir, n), 'utf8'))
    .join('');
}

/** The parts' lines in output order (no trailing empty line). */
export function readPartLines(dir: string): string[] {
  const text = readParts(dir);
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** The hidden files of a part folder (in-progress and superseded parts), sorted. */
export function hiddenFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.startsWith('.'))
    .sort();
}
