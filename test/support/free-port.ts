import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nobody listens on right now: the system picks one, and it is closed
 * again at once (so another process may take it before the caller does).
 * @example const port = await freePort(); // e.g. 40123
 */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
