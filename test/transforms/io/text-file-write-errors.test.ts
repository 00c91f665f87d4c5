import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SinkWriteError, UserCodeError } from '../../../sdk/errors.js';
import { Create } from '../../../transforms/create.js';
import { TextFile } from '../../../transforms/io/text-file.js';
import { RUNNERS, runWith } from '../../support/runners.js';

/** A disk that cannot take the output: /dev/full fails every write with ENOSPC. */
describe.each(RUNNERS)('a TextFile output the disk refuses fails the run with a SinkWriteError, on $label', ({ options }) => {
  it('ENOSPC: SinkWriteError naming the step and the path, the file system\'s error as its cause (not a UserCodeError)', async () => {
    const e = await runWith(options, (p) => {
      p.apply('In', Create(['a', 'b', 'c'])).apply('Out', TextFile.write<string>('/dev/full'));
    }).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SinkWriteError);
    expect(e).not.toBeInstanceOf(UserCodeError);
    expect(e).toMatchObject({ step: 'Out', path: '/dev/full', retriable: true });
    expect(((e as Error).cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect((e as Error).message).toMatch(/^step 'Out' cannot write \/dev\/full: ENOSPC/);
  });
});

describe('the CLI names the write step and the file a disk refused', () => {
  it('--output=ndjson:/dev/full: SinkWriteError naming WritePairs and /dev/full, exit 1', () => {
    const repo = fileURLToPath(new URL('../../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', '--count=50', '--output=ndjson:/dev/full'], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^SinkWriteError: step 'WritePairs' cannot write \/dev\/full: ENOSPC/m);
  }, 120_000);
});
