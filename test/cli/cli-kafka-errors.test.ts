import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Needs no broker: these are the failures a user sees when there is none.
const repo = fileURLToPath(new URL('../..', import.meta.url));
const env = { ...process.env };
delete env['KAFKA_BROKERS'];
delete env['WATERSHED_KAFKA_LOG'];
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'bin/watershed.ts', ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env });

/** A local port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('Kafka failures on the command line', () => {
  it.each([
    ['netflow', '--input=kafka:netflow'],
    ['netflow', '--output=kafka:pairs'],
    ['compare', '--input=kafka:netflow'],
    ['generate', '--output=kafka:netflow'],
  ])('%s %s without --brokers or KAFKA_BROKERS: one line, exit 2, nothing run', (command, flag) => {
    const r = cli(command, flag);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--brokers');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('an unreachable broker: only the clear KafkaUnavailable message, no kafkajs log lines', async () => {
    const port = await closedPort();
    const r = cli('--input=kafka:netflow', `--brokers=127.0.0.1:${port}`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Kafka unavailable at 127.0.0.1:${port}`);
    expect(r.stderr).not.toContain('kafkajs');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
