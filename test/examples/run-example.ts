import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What an example printed, line by line, sorted (the runners may print in different orders). */
export interface ExampleOutput {
  readonly lines: string[];
  readonly stderr: string;
}

/**
 * Runs `pipelines/examples/<file>` the way the README says (`npm run example:run -- <file> <args>`, i.e.
 * `node --conditions=watershed-source --import tsx <file> <args>`) from the repository's root, in a
 * child process (asynchronously: the test worker must stay responsive to vitest meanwhile).
 * @throws Error with its stderr when the example exits with a non-zero code.
 */
export async function runExample(file: string, args: readonly string[]): Promise<ExampleOutput> {
  const argv = ['--conditions=watershed-source', '--import', 'tsx', `pipelines/examples/${file}`, ...args];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', maxBuffer: 16 << 20 });
    return { lines: stdout.split('\n').filter((l) => l !== '').sort(), stderr };
  } catch (e) {
    const failed = e as { code?: unknown; stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} exited with ${String(failed.code)}:\n${failed.stderr ?? ''}\n${failed.stdout ?? ''}`, { cause: e });
  }
}

/** The runners every example runs on. */
export const EXAMPLE_RUNNERS = ['native', 'microbatch'] as const;
