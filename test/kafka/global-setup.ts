/**
 * Vitest global setup: makes a real Kafka broker available to Kafka tests.
 *
 * - `WATERSHED_KAFKA=0`  → no broker; Kafka tests are skipped (loud warning, even in CI).
 * - `KAFKA_BROKERS=h:p`  → use that cluster (checked for reachability; never started/stopped here).
 * - otherwise, if the run contains Kafka tests (a test file whose path or source mentions
 *   "kafka"; `WATERSHED_KAFKA=1` forces it), start a private broker with
 *   scripts/kafka-start.sh on 127.0.0.1:19192 (or free ports if taken) with its own state dir
 *   `.kafka/vitest-<port>-<pid>` (formatted fresh: KAFKA_FRESH=1), and stop it in teardown. A
 *   developer's own broker on 19092 is never touched.
 *
 * Tests read the result with `inject('kafkaBrokers')` / `inject('kafkaSkipReason')`, usually
 * through `kafkaDescribe` from ./kafka-test-env.ts.
 *
 * If no broker can be provided: with CI=true the whole run fails; otherwise Kafka tests are
 * skipped with the reason in their name and a loud warning is printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { KafkaUnavailableError } from '../../transforms/io/kafka/client.js';
import { createKafkajsClientFactory } from '../../transforms/io/kafka/kafkajs-client.js';
import { freePort } from '../support/free-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port[,host:port]` of a reachable Kafka cluster, or null when Kafka tests must skip. */
    kafkaBrokers: string | null;
    /** Why `kafkaBrokers` is null (null when a broker is available). */
    kafkaSkipReason: string | null;
  }
}

/** Marker type so helpers can `import type` this module (and with it the ProvidedContext augmentation). */
export type KafkaProvidedContext = { kafkaBrokers: string | null; kafkaSkipReason: string | null };

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const KAFKA_DIR = join(ROOT, '.kafka');
const PREFERRED_PORT = 19192;
const PREFERRED_CONTROLLER_PORT = 19193;
const START_TIMEOUT_MS = 240_000; // includes a first-time Maven fetch of the broker classpath

export function isCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

function log(message: string): void {
  process.stderr.write(`[kafka] ${message}\n`);
}

function loudWarning(reason: string, deliberate = false): void {
  const lines = deliberate
    ? ['KAFKA TESTS WILL BE SKIPPED', `reason: ${reason}`]
    : [
        'KAFKA TESTS WILL BE SKIPPED',
        `reason: ${reason}`,
        'With CI=true this is a hard failure. Start one yourself with `npm run kafka:start` and',
        'export KAFKA_BROKERS=127.0.0.1:19092, or set WATERSHED_KAFKA=0 to skip on purpose.',
      ];
  const bar = '!'.repeat(Math.max(...lines.map((l) => l.length)) + 4);
  process.stderr.write(`\n${bar}\n${lines.map((l) => `! ${l}`).join('\n')}\n${bar}\n\n`);
}

/** Does this run include a test file that needs Kafka? Falls back to "yes" when unsure. */
async function runNeedsKafka(project: TestProject): Promise<boolean> {
  if (process.env.WATERSHED_KAFKA === '1') return true;
  try {
    // Vitest keeps the CLI file filters here (not public API; absent → treat as a full run).
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
    const { testFiles } = await project.globTestFiles(filters);
    return testFiles.some((file) => {
      if (/kafka/i.test(relative(ROOT, file))) return true;
      try {
        return /kafka/i.test(readFileSync(file, 'utf8'));
      } catch {
        return true;
      }
    });
  } catch {
    return true;
  }
}

function hasJava(): boolean {
  const r = spawnSync('java', ['-version'], { stdio: 'ignore', timeout: 20_000 });
  return r.status === 0;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort(true)));
  });
}

async function choosePorts(): Promise<{ port: number; controllerPort: number }> {
  if ((await portFree(PREFERRED_PORT)) && (await portFree(PREFERRED_CONTROLLER_PORT))) {
    return { port: PREFERRED_PORT, controllerPort: PREFERRED_CONTROLLER_PORT };
  }
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  return { port, controllerPort };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function stopBroker(stateDir: string, timeoutSeconds = 30): void {
  spawnSync('bash', [join(ROOT, 'scripts/kafka-stop.sh')], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_STATE_DIR: stateDir, KAFKA_STOP_TIMEOUT: String(timeoutSeconds) },
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: (timeoutSeconds + 15) * 1000,
  });
}

/** Stops brokers left behind by earlier test runs whose vitest process is gone (e.g. killed). */
function sweepOrphans(): void {
  if (!existsSync(KAFKA_DIR)) return;
  for (const entry of readdirSync(KAFKA_DIR)) {
    if (!entry.startsWith('vitest-')) continue;
    const stateDir = join(KAFKA_DIR, entry);
    let owner = NaN;
    try {
      owner = Number(readFileSync(join(stateDir, 'owner.pid'), 'utf8').trim());
    } catch {
      // no owner file: treat as orphaned
    }
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) continue; // a concurrent run owns it
    log(`cleaning up broker state left by an earlier run: ${relative(ROOT, stateDir)}`);
    stopBroker(stateDir, 10);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function startBroker(port: number, controllerPort: number, stateDir: string): Promise<string> {
  return new Promise((resolveStart, reject) => {
    const child = spawn('bash', [join(ROOT, 'scripts/kafka-start.sh')], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_PORT: String(port),
        KAFKA_CONTROLLER_PORT: String(controllerPort),
        KAFKA_STATE_DIR: stateDir,
        // Every test run starts on an empty broker (the dir is new; this also covers a leftover one).
        KAFKA_FRESH: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`kafka-start.sh did not finish within ${START_TIMEOUT_MS / 1000}s\n${stderr}`));
    }, START_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const match = /^KAFKA_BROKERS=(\S+)\s*$/m.exec(stdout);
      if (code === 0 && match?.[1]) resolveStart(match[1]);
      else reject(new Error(`kafka-start.sh exited with code ${code}\n${stderr.trim()}`));
    });
  });
}

async function checkReachable(brokers: string): Promise<string | null> {
  try {
    const admin = createKafkajsClientFactory({ brokers, logLevel: 'nothing', clientId: 'watershed-test-setup' }).admin();
    await admin.connect();
    try {
      await admin.listTopics();
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return null;
  } catch (error) {
    return error instanceof KafkaUnavailableError ? error.message : `Kafka at ${brokers} not usable: ${String(error)}`;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const provide = (brokers: string | null, reason: string | null): void => {
    project.provide('kafkaBrokers', brokers);
    project.provide('kafkaSkipReason', reason);
  };
  const unavailable = (reason: string): void => {
    if (isCI()) throw new Error(`[kafka] no Kafka broker for the Kafka tests and CI=true: ${reason}`);
    loudWarning(reason);
    provide(null, reason);
  };

  if (process.env.WATERSHED_KAFKA === '0') {
    loudWarning('WATERSHED_KAFKA=0 (skipped on purpose)', true);
    provide(null, 'WATERSHED_KAFKA=0');
    return;
  }

  const external = process.env.KAFKA_BROKERS?.trim();
  if (external) {
    const problem = await checkReachable(external);
    if (problem) unavailable(`KAFKA_BROKERS=${external} is not reachable: ${problem}`);
    else provide(external, null);
    return;
  }

  if (!(await runNeedsKafka(project))) {
    provide(null, 'no Kafka test files in this run, so no broker was started');
    return;
  }

  if (!hasJava()) {
    unavailable('java not found on PATH (Java 17+ and Maven are needed to run a local broker)');
    return;
  }

  sweepOrphans();
  const { port, controllerPort } = await choosePorts();
  // One state dir per vitest process: two concurrent runs that both saw the port free must not
  // share a pid file (the loser's teardown would otherwise stop the winner's broker).
  const stateDir = join(KAFKA_DIR, `vitest-${port}-${process.pid}`);
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'owner.pid'), `${process.pid}\n`);

  let stopped = false;
  const teardown = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', onExit);
    stopBroker(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  };
  // Last resort if vitest exits without running teardown (Ctrl-C / SIGTERM: vitest calls
  // process.exit() from its own handlers): stop the broker synchronously. Prepended, because
  // vitest's own 'exit' listener calls process.exit() again, which skips later listeners.
  // A SIGKILLed run leaves the broker behind; sweepOrphans() stops it on the next run.
  const onExit = (): void => {
    if (stopped) return;
    stopped = true;
    stopBroker(stateDir, 10);
    rmSync(stateDir, { recursive: true, force: true });
  };
  process.prependListener('exit', onExit);

  const t0 = Date.now();
  log(`starting a local broker for the Kafka tests on 127.0.0.1:${port} ...`);
  let brokers: string;
  try {
    brokers = await startBroker(port, controllerPort, stateDir);
  } catch (error) {
    await teardown();
    unavailable(`local broker failed to start: ${(error as Error).message}`);
    return;
  }
  log(`broker ready at ${brokers} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  provide(brokers, null);
  return teardown;
}
