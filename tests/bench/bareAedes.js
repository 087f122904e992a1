// Bare aedes 1.2 in its own process: the ceiling for anything built on aedes.
// Plain JavaScript run by plain node (no TypeScript loader), like the hub's build.
// Accepts any client, counts publishes in its `published` hook. Prints
// "READY <port>" when listening; prints "COUNT <n>" on every line read from stdin.
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { Aedes } from 'aedes';

const broker = await Aedes.createBroker({});
let count = 0;
broker.on('publish', (_packet, client) => {
  if (client) count++;
});
const server = createServer(broker.handle);
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : 0}\n`);
});
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`COUNT ${count}\n`));
process.on('SIGTERM', () => {
  server.close();
  broker.close(() => process.exit(0));
});
