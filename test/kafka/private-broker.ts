/**
 * A Kafka broker of a test's own, for tests that stop, crash or restart a broker (which they must
 * never do to the shared one from ./global-setup.ts). Started with scripts/kafka-start.sh on free
 * ports in its own state dir `.kafka/vitest-own-<name>-<pid>`, with an `owner.pid` file, so a run
 * that is killed leaves nothing behind for long: the global setup's orphan sweep stops and deletes
 * such dirs on the next run.
 *
 * `privateBrokerSkipReason()` says why such a broker cannot be had here (WATERSHED_KAFKA=0, or no
 * Java outside CI); null when tests should start one.
 *
 * @example
 * ```ts
 * const broker = await PrivateBroker.create('restart');
 * await broker.start();          // formats on the first start, restarts on the data afterwards
 * broker.kill9();                // a crash: SIGKILL to the JVM, the pid file stays behind
 * await broker.start();          // same topics and records
 * await broker.start({ fresh: true });
 * broker.dispose();              // stops it and deletes the state dir
 * ```
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** What one run of scripts/kafka-start.sh did. */
export interface StartOutcome {
  readonly code: number | null;
  /** `host:port` from the script's last line, when it succeeded. */
  readonly brokers: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Why tests cannot start a private broker here, or null. With CI=true a missing Java is not a reason (the test fails). */
export function privateBrokerSkipReason(): string | null {
  if (process.env.WATERSHED_KAFKA === '0') return 'WATERSHED_KAFKA=0';
  const ci = process.env.CI;
  const isCI = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  if (!isCI && spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 }).status !== 0) return 'java not found on PATH';
  return null;
}

export class PrivateBroker {
  private constructor(
    readonly stateDir: string,
    readonly port: number,
    readonly controllerPort: number,
  ) {}

  /** Reserves free ports and an empty state dir; starts nothing. */
  static async create(name: string): Promise<PrivateBroker> {
    const port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    const stateDir = join(ROOT, '.kafka', `vitest-own-${name}-${process.pid}`);
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, 'owner.pid'), `${process.pid}\n`);
    return new PrivateBroker(stateDir, port, controllerPort);
  }

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Runs scripts/kafka-start.sh with `args` and the extra environment; resolves with what it did (never rejects). */
  run(args: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Promise<StartOutcome> {
    return new Promise((resolveRun) => {
      const child = spawn('bash', [join(ROOT, 'scripts/kafka-start.sh'), ...args], {
        cwd: ROOT,
        env: {
          ...process.env,
          KAFKA_FRESH: '',
          KAFKA_PORT: String(this.port),
          KAFKA_CONTROLLER_PORT: String(this.controllerPort),
          KAFKA_STATE_DIR: this.stateDir,
          KAFKA_START_TIMEOUT: '120',
          KAFKA_HEAP_OPTS: '-Xms128m -Xmx384m',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => {
        const match = /^KAFKA_BROKERS=(\S+)\s*$/m.exec(stdout);
        resolveRun({ code, brokers: code === 0 && match?.[1] ? match[1] : null, stdout, stderr });
      });
    });
  }

  /** Starts the broker (`fresh`: with --fresh). @throws Error with the script's output if it fails. */
  async start(options: { fresh?: boolean; env?: Readonly<Record<string, string>> } = {}): Promise<string> {
    const outcome = await this.run(options.fresh ? ['--fresh'] : [], options.env);
    if (outcome.brokers === null) throw new Error(`kafka-start.sh exited with ${outcome.code}\n${outcome.stderr}`);
    return outcome.brokers;
  }

  /** The broker JVM's pid from the pid file, or null. */
  pid(): number | null {
    try {
      const pid = Number(readFileSync(join(this.stateDir, 'broker.pid'), 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  /** Crashes the broker: SIGKILL to its JVM, and waits until it is gone. The pid file stays behind, as after a real crash. */
  async kill9(): Promise<void> {
    const pid = this.pid();
    if (pid === null) throw new Error(`no broker pid in ${this.stateDir}`);
    process.kill(pid, 'SIGKILL');
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the broker (scripts/kafka-stop.sh), keeping its data. */
  stop(): void {
    spawnSync('bash', [join(ROOT, 'scripts/kafka-stop.sh')], {
      cwd: ROOT,
      env: { ...process.env, KAFKA_STATE_DIR: this.stateDir, KAFKA_STOP_TIMEOUT: '20' },
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 40_000,
    });
  }

  /** Stops the broker and deletes its state dir. */
  dispose(): void {
    this.stop();
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
