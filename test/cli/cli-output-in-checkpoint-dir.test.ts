import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

describe('an output file inside --checkpointDir is refused before the run (exit 2)', () => {
  for (const flag of ['output', 'deadLetters', 'lateOutput', 'statsOut'] as const) {
    it(`--${flag}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-out-in-ck-'));
      const input = join(dir, 'flows.ndjson');
      writeFileSync(input, Array.from({ length: 5 }, (_, i) => JSON.stringify(flow({ eventid: String(i) }))).join('\n') + '\n');
      const ck = join(dir, 'ck');
      const path = join(ck, 'sub', 'x.ndjson');
      const value = flag === 'statsOut' ? path : `ndjson:${path}`;
      const r = cli(`--input=ndjson:${input}`, `--checkpointDir=${ck}`, `--${flag}=${value}`);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`OutputInCheckpointDirError: --${flag}=${value} is inside --checkpointDir=${ck}`);
      expect(readdirSync(dir)).toEqual(['flows.ndjson']);
    });
  }
});
