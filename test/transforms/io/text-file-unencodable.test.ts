import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../sdk/dead-letter.js';
import { Capture } from '../../../sdk/testing/capture.js';
import { Create } from '../../../transforms/create.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/** Elements JSON.stringify cannot write: a BigInt, a cycle, a toJSON that throws, and undefined (no JSON text at all). */
function unencodable(): unknown[] {
  const cycle: Record<string, unknown> = { name: 'cycle' };
  cycle['self'] = cycle;
  return [{ n: 10n }, cycle, { toJSON: () => { throw new Error('no JSON for me'); } }, undefined];
}

describe.each(RUNNERS)('TextFile.write: an element it cannot encode goes to its dead letters, the run goes on, on $label', ({ options }) => {
  it('BigInt, cycle, throwing toJSON, undefined: dead letters (reason unencodable, step and path as origin); every other element is written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'text-unencodable-')), 'out.ndjson');
    const { out: dead, result } = await runWith(options, (p) => {
      const written = p.apply('In', Create<unknown>([{ a: 1 }, ...unencodable(), { a: 2 }])).apply('Out', TextFile.write<unknown>(out));
      return written.deadLetters().apply('Dead', Capture.records<DeadLetter>());
    });
    expect(result.state).toBe('DONE');
    expect(readFileSync(out, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    const letters = dead.values();
    expect(letters).toHaveLength(4);
    for (const d of letters) {
      expect(d).toMatchObject({ step: 'Out', reason: 'unencodable', origin: { step: 'Out', path: out } });
      expect(d.message).toMatch(new RegExp(`^step 'Out' cannot encode an element as a line of ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
    }
    expect(letters.map((d) => d.message).join('\n')).toMatch(/BigInt/);
    expect(letters.map((d) => d.message).join('\n')).toMatch(/circular/);
    expect(letters.map((d) => d.message).join('\n')).toMatch(/no JSON for me/);
    expect(letters.map((d) => d.message).join('\n')).toMatch(/not a string \(undefined\)/);
    expect(result.metrics['Out']?.deadLettered).toBe(4);
  });

  it('without .deadLetters() read, the run still goes on, and its warnings say how many were not written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'text-unencodable-')), 'out.ndjson');
    const { result } = await runWith(options, (p) => {
      p.apply('In', Create<unknown>([{ a: 1 }, { n: 1n }])).apply('Out', TextFile.write<unknown>(out));
    });
    expect(result.state).toBe('DONE');
    expect(readFileSync(out, 'utf8')).toBe('{"a":1}\n');
    expect(result.warnings?.join('\n')).toMatch(/step 'Out' sent 1 record to its dead letters, and nothing reads them/);
  });
  it('a format giving text that would not read back as one line (a \\n, a last \\r, a lone surrogate) is a dead letter, never split, cut or altered', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'text-unencodable-')), 'out.txt');
    const texts = ['a', 'b\nc', 'd\r', 'e\uD800f', '\uDFFF', 'g\rh', 'i\r\n', 'j\u{1F600}'];
    const { out: dead } = await runWith(options, (p) =>
      p.apply('In', Create<string>(texts)).apply('Out', TextFile.write<string>(out, (s) => s)).deadLetters().apply('Dead', Capture.records<DeadLetter>()),
    );
    // What is written reads back as exactly the elements written (a \r inside a line is kept).
    expect(readFileSync(out, 'utf8')).toBe('a\ng\rh\nj\u{1F600}\n');
    const letters = dead.values();
    expect(letters.map((d) => [d.reason, d.element])).toEqual([['unencodable', 'b\nc'], ['unencodable', 'd\r'], ['unencodable', 'e\uD800f'], ['unencodable', '\uDFFF'], ['unencodable', 'i\r\n']]);
    expect(letters.map((d) => d.message.replace(/^.*?: the format gave /, ''))).toEqual([
      'text with a line end (\\n at 1): it would be read back as several lines',
      'text ending in \\r: it would be read back without it (taken for a \\r\\n line end)',
      'text with a lone surrogate (not Unicode): UTF-8 would write U+FFFD in its place',
      'text with a lone surrogate (not Unicode): UTF-8 would write U+FFFD in its place',
      'text with a line end (\\n at 2): it would be read back as several lines',
    ]);
  });
});
