import { createServer, type AddressInfo, type Socket } from 'node:net';

/**
 * Runs `fn` with the address of a TCP listener that accepts connections and never answers (the
 * Kafka handshake hangs), and closes it afterwards.
 * @example await withSilentListener(async (address) => expect(await connectFails(address)).toBe(true));
 */
export async function withSilentListener<T>(fn: (address: string) => Promise<T>): Promise<T> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    return await fn(`127.0.0.1:${port}`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}
