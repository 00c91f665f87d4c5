import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });

/** Terminal control: C0 (ESC, CR, BEL, ...) but newline, DEL, C1 (the 8-bit CSI \x9b) and the bidi overrides. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('the Netflow summary cannot be made to rewrite the terminal by its input', () => {
  it('shows ids, rejected lines and the input path from the input with their control characters escaped', () => {
    // the folder's name is the user's too: it is printed as the input
    const dir = join(mkdtempSync(join(tmpdir(), 'cli-escapes-')), 'in\x1b[2Jput');
    mkdirSync(dir);
    const input = join(dir, 'flows.ndjson');
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify(flow({ eventid: `id${i}\x1b]0;owned\x07\r\u202e`, in_bytes: i * 1000 })));
    lines.push('{"eventid":"\x1b[31mbad\r\x9b2J", "src_ip4": "not a number"}');
    writeFileSync(input, lines.join('\n') + '\n');
    const r = cli(`--input=ndjson:${input}`, '--top=3');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('most distant pairs');
    expect(r.stdout).toContain('id9\\x1b]0;owned\\x07\\r\\u{202e}');
    expect(r.stdout).toContain('in\\x1b[2Jput');
    expect(r.stdout).toMatch(/rejected .*\\x1b\[31mbad/);
    expect(r.stdout).not.toMatch(CONTROL);
  });
});
