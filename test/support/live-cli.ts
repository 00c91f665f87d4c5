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

/**
 * What the `--ui` page of a run says now (its /view.json): how long it has run and the records read.
 * @example await until(async () => (await pageSays(url)).recordsIn >= 20)
 */
export async function pageSays(url: string): Promise<{ readonly runningMs: number; readonly recordsIn: number }> {
  const view = (await (await fetch(`${url}view.json`)).json()) as { sections: { summary: string } };
  const running = /running for<\/th><td>([\d.]+)(ms|s)/.exec(view.sections.summary);
  const records = /data-metric="recordsIn">([\d,]+)</.exec(view.sections.summary);
  return {
    runningMs: running === null ? 0 : Number(running[1]) * (running[2] === 's' ? 1000 : 1),
    recordsIn: records === null ? 0 : Number(records[1]!.replace(/,/g, '')),
  };
}

/** Polls `condition` until it holds (every 200 ms, at most 2 minutes). */
export async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the condition never held');
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
  /**
   * The exit code once the run ends; after `timeoutMs` the run is killed (SIGKILL) and this rejects,
   * so a run stuck for good (e.g. opening a pipe whose writer is gone) never outlives its test.
   */
  exitCode(timeoutMs?: number): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) every run started here that is still going: call it after each test
 * (`afterEach(killLeftoverRuns)`), so a test that failed half way leaves no process behind (its run
 * may wait forever to open a pipe whose writer has gone).
 */
export function killLeftoverRuns(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
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
  running.add(child);
  child.on('close', () => running.delete(child));
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
    exitCode(timeoutMs = 180_000) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the run did not end within ${timeoutMs} ms (killed):\n${out.slice(-2000)}`));
        }, timeoutMs);
      });
      return Promise.race([exited, timedOut]).finally(() => clearTimeout(timer));
    },
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
