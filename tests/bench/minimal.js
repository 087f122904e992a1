// The start-up baseline: a process that loads the same modules as the hub, the
// same way (the compiled build, plain node), and binds the same ports (HTTP
// answering /healthz, MQTT listening), doing nothing else.
//   node tests/bench/minimal.js HTTP_PORT MQTT_PORT
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';
import '../../dist/src/hub.js';
import '../../dist/src/config/load.js';

const [httpPort, mqttPort] = process.argv.slice(2).map(Number);
createTcp().listen(mqttPort, '127.0.0.1');
createHttp((_req, res) => res.end('{"status":"ok"}')).listen(httpPort, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
