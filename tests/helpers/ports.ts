import { createServer } from 'node:net';

/** A free TCP port on loopback (bind 0, read the port, close). Side-effect free, for tests and benchmarks alike. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
