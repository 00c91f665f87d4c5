import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.js';
import { FifoInput, killLeftoverRuns, pageSays, startCli, until } from '../support/live-cli.js';

afterEach(killLeftoverRuns);

/** The local addresses (hex, as in /proc/net/tcp) of every TCP socket process `pid` listens on. */
function listeningAddresses(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: string[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is field 1, st field 3 (0A = LISTEN), inode field 9
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9]!)) out.push(f[1]!);
    }
  }
  return out;
}

/** Tries a TCP connection; resolves with the error code, or 'connected'. */
function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 5000 });
    s.once('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.once('timeout', () => {
      s.destroy();
      resolve('ETIMEDOUT');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('--ui listens on the loopback address only', () => {
  it.skipIf(!existsSync('/proc/self/net/tcp'))('every socket the run listens on is 127.0.0.1, on the --uiPort asked for; other addresses of the machine refuse', { timeout: 300_000 }, async () => {
    const fifo = new FifoInput();
    fifo.write(20);
    const port = await freePort();
    const run = startCli([`--input=ndjson:${fifo.path}`, '--window=1s', '--bundleSize=10', '--ui', `--uiPort=${port}`]);
    try {
      const url = (await run.waitFor(/\[ui\] the run's dashboard: (http:\/\/[^/\s]+\/)/))[1];
      expect(url).toBe(`http://127.0.0.1:${port}/`);
      const listening = listeningAddresses(run.child.pid!);
      expect(listening).toEqual([`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`]);
      expect(await tryConnect('127.0.0.1', port)).toBe('connected');
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined && !a.internal)
        .map((a) => a!.address);
      for (const address of external) expect([address, await tryConnect(address, port)]).toEqual([address, 'ECONNREFUSED']);
      // The run has opened the pipe and read what was written before the pipe's writer goes away.
      await until(async () => (await pageSays(url!)).recordsIn === 20);
    } finally {
      fifo.close();
    }
    expect(await run.exitCode()).toBe(0);
  });
});
