/**
 * The repository's own code uses the one factory style: the codemod in check mode finds no deprecated
 * spelling (`GroupByKey.create()`, `Create.of(xs)`, `orFinally(a, b)`, `Map`, ...) in any TypeScript file.
 * After merging a branch written with the old names: `npx tsx scripts/codemods/rename-factories.ts`.
 */
import { describe, expect, it } from 'vitest';
import { renameFactories } from '../../scripts/codemods/rename-factories.js';

describe("the repository's code", () => {
  it('uses no deprecated factory name (npx tsx scripts/codemods/rename-factories.ts rewrites them)', () => {
    const { files, changed } = renameFactories([], true);
    expect(files).toBeGreaterThan(100);
    expect(changed).toEqual([]);
  }, 120_000);
});
