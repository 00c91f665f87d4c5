/**
 * What pipelines/examples/network-talkers.ts must give over a slice of the shared Zeek conn.log (its first
 * 600 lines) when nothing is late, computed by plain loops: the sessions (30 s gap per source host) and
 * the top 10 hosts by bytes per 1 min window every 10 s. The slice goes to a temporary file: the data is
 * never copied into the repository.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { sharedDataFile } from '../pipelines/netflow/shared-data.js';

const lines = readFileSync(sharedDataFile('zeek-conn-mixed.log'), 'utf8').split('\n').slice(0, 600);

export interface Conn { ts: number; src: string; dport: number; bytes: number }
const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
export const conns: Conn[] = lines.filter((l) => l !== '' && !l.startsWith('#')).map((l) => {
  const cols = l.split('\t');
  const col = (name: string) => cols[fields.indexOf(name)]!;
  const n = (v: string) => (v === '-' ? 0 : Number(v));
  return { ts: Math.round(Number(col('ts')) * 1000), src: col('id.orig_h'), dport: Number(col('id.resp_p')), bytes: n(col('orig_bytes')) + n(col('resp_bytes')) };
});
const iso = (t: number) => new Date(t).toISOString();
export const win = (start: number, end: number) => `[${iso(start)}, ${iso(end)})`;

/** Sessions with a 30 s gap per source host, by a plain loop. */
export function expectedSessions(): string[] {
  const out: string[] = [];
  const byHost = Map.groupBy(conns, (c) => c.src);
  for (const [host, cs] of byHost) {
    cs.sort((a, b) => a.ts - b.ts);
    let group: Conn[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const end = Math.max(...group.map((c) => c.ts)) + 30_000;
      out.push(JSON.stringify({ host, session: win(group[0]!.ts, end), count: group.length, bytes: group.reduce((s, c) => s + c.bytes, 0), distinctPorts: new Set(group.map((c) => c.dport)).size }));
      group = [];
    };
    for (const c of cs) {
      if (group.length > 0 && c.ts >= Math.max(...group.map((g) => g.ts)) + 30_000) flush();
      group.push(c);
    }
    flush();
  }
  return out.sort();
}

/** The top 10 hosts by bytes in every 1 min window starting every 10 s, by a plain loop. */
export function expectedTop(): string[] {
  const perWindow = new Map<number, Map<string, number>>();
  for (const c of conns) {
    for (let start = Math.floor(c.ts / 10_000) * 10_000; start > c.ts - 60_000; start -= 10_000) {
      const hosts = perWindow.get(start) ?? new Map<string, number>();
      hosts.set(c.src, (hosts.get(c.src) ?? 0) + c.bytes);
      perWindow.set(start, hosts);
    }
  }
  return [...perWindow].map(([start, hosts]) => {
    const top = [...hosts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([host, bytes]) => ({ host, bytes }));
    return JSON.stringify({ window: win(start, start + 60_000), top });
  }).sort();
}

/** Writes the slice to `path` and returns `path`. */
export function writeSlice(path: string): string {
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}
