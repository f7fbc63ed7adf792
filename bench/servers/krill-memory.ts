// Starts an in-process broker with in-memory storage (what test suites use), prints its
// bootstrap address and serves until SIGTERM. A separate process so that the load
// generator and the broker do not share an event loop.
import { startBroker } from '../../src/index.js';

const b = await startBroker({ port: Number(process.argv[2] ?? 0), storage: 'memory', config: { 'message.max.bytes': '10485760' } });
process.stdout.write(`${b.bootstrap}\n`);
process.on('SIGTERM', () => void b.close().then(() => process.exit(0)));
