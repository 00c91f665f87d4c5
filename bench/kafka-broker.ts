import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * A broker for a benchmark: `KAFKA_BROKERS` when set, else the repo's local broker
 * (scripts/kafka-start.sh, reused if it is already running). `stop()` stops it only if this
 * call started it. Throws with the script's output when no broker can be started.
 */
export function ensureBroker(): { brokers: string; stop: () => void } {
  const given = process.env.KAFKA_BROKERS?.trim();
  if (given) return { brokers: given, stop: () => undefined };
  const r = spawnSync('bash', [`${ROOT}scripts/kafka-start.sh`], { cwd: ROOT, encoding: 'utf8' });
  const match = /^KAFKA_BROKERS=(\S+)\s*$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !match) throw new Error(`could not start a Kafka broker (set KAFKA_BROKERS to use one):\n${r.stderr}`);
  const reused = /reusing running broker/.test(r.stderr ?? '');
  process.stderr.write(reused ? `using the running broker at ${match[1]}\n` : `started a broker at ${match[1]}\n`);
  return {
    brokers: match[1]!,
    stop: () => {
      if (!reused) spawnSync('bash', [`${ROOT}scripts/kafka-stop.sh`], { cwd: ROOT, stdio: 'inherit' });
    },
  };
}
