import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flow } from '../pipelines/netflow/test-records.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A named pipe the test writes Netflow lines into while a CLI run reads it (`--input=ndjson:<path>`):
 * the run goes on until {@link close}, so a test can watch it at its own pace. Opened read-write
 * (Linux), so writing never blocks on the reader and the reader sees the end of input only at close.
 */
export class FifoInput {
  readonly path: string;
  private fd: number | undefined;
  private next = 0;

  constructor(dir = mkdtempSync(join(tmpdir(), 'live-cli-'))) {
    this.path = join(dir, 'flows.fifo');
    const r = spawnSync('mkfifo', [this.path]);
    if (r.status !== 0) throw new Error(`mkfifo failed: ${r.stderr}`);
    this.fd = openSync(this.path, 'r+');
  }

  /**
   * Writes `n` more valid flows: 7 source IPs, event times 100 ms apart (so with `--window=1s` and
   * `--maxOutOfOrderness=1s` windows fire as the test writes).
   */
  write(n: number): void {
    let text = '';
    for (let i = 0; i < n; i++, this.next++) {
      text += `${JSON.stringify(flow({ eventid: `e${this.next}`, src_ip4: 167772161 + (this.next % 7), in_bytes: this.next, eventtime: 1490024700 + this.next / 10 }))}\n`;
    }
    writeSync(this.fd!, text);
  }

  /** Ends the input: the run reads to the end and finishes. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A CLI run in a child process whose output the test follows. */
export interface LiveRun {
  readonly child: ChildProcess;
  /** stdout and stderr so far (one stream under a terminal). */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects when the run exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `bin/watershed.ts` with `args` (its stdin is not read). With `terminal`, under `script`
 * (util-linux) so that stdout and stderr are a pseudo-terminal.
 */
export function startCli(args: readonly string[], options: { readonly terminal?: boolean } = {}): LiveRun {
  const node = [process.execPath, '--import', 'tsx', 'bin/watershed.ts', ...args];
  const quoted = node.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = options.terminal
    ? spawn('script', ['-qefc', `stty cols 200; exec ${quoted}`, '/dev/null'], { cwd: repo, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(node[0]!, node.slice(1), { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of waiters) w();
  });
  return {
    child,
    output: () => out,
    exited,
    waitFor(pattern, timeoutMs = 120_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${pattern} in the output within ${timeoutMs} ms:\n${out.slice(-2000)}`))), timeoutMs);
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        const check = () => {
          const m = pattern.exec(out);
          if (m) finish(() => resolve(m));
          else if (done) finish(() => reject(new Error(`the run ended without ${pattern}:\n${out.slice(-2000)}`)));
        };
        waiters.add(check);
        check();
      });
    },
  };
}
