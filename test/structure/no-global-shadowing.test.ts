/**
 * No export of the package shadows a JavaScript global: `import { X } from 'watershed/...'` must never
 * hide the global `X` in the importing module (as `Map` did). Every entry point in package.json's
 * `exports` is imported by the package's name and each of its runtime exports is checked against
 * `Object.getOwnPropertyNames(globalThis)`. The one exception is a deprecated alias kept for one release.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; exports: Record<string, unknown> };
/** Deprecated aliases that still clash, each going with its alias in the next release. */
const DEPRECATED_CLASHES = new Set(['watershed/transforms: Map']);

describe('the exports of the package', () => {
  it('shadow no global of JavaScript', async () => {
    const globals = new Set(Object.getOwnPropertyNames(globalThis));
    const entries = Object.keys(PACKAGE.exports).filter((k) => k !== './package.json').map((k) => `${PACKAGE.name}${k.slice(1)}`);
    expect(entries.length).toBeGreaterThanOrEqual(7);
    const clashes: string[] = [];
    for (const entry of entries) {
      const mod = (await import(entry)) as Record<string, unknown>;
      for (const name of Object.keys(mod)) if (globals.has(name)) clashes.push(`${entry}: ${name}`);
    }
    expect(clashes.filter((c) => !DEPRECATED_CLASHES.has(c))).toEqual([]);
    // The exception is real while the alias lives: when it goes, this list goes with it.
    expect(clashes).toEqual([...DEPRECATED_CLASHES]);
  }, 60_000);
});
