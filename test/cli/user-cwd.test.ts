import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userCwd } from '../../bin/user-cwd.js';

describe('userCwd: the folder relative paths in flags are read from', () => {
  const root = mkdtempSync(join(tmpdir(), 'user-cwd-'));
  const sub = mkdtempSync(join(root, 'sub-'));
  const npm = { INIT_CWD: sub, npm_package_json: join(root, 'package.json'), npm_lifecycle_script: 'node --import tsx bin/watershed.ts compare' };

  it('under an npm script running this CLI in the package root: the folder npm was started in', () => {
    expect(userCwd(npm, root)).toBe(sub);
  });

  it('otherwise the process\'s own: another script (npm test), another folder, no npm, or an INIT_CWD that is gone', () => {
    expect(userCwd({ ...npm, npm_lifecycle_script: 'vitest run' }, root)).toBe(root);
    expect(userCwd(npm, sub)).toBe(sub);
    expect(userCwd({}, root)).toBe(root);
    expect(userCwd({ ...npm, INIT_CWD: join(root, 'gone') }, root)).toBe(root);
  });
});
