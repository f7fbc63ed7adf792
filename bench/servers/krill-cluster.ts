// Starts a 3-broker in-process Krill cluster (one Node process, as test suites run it),
// prints its bootstrap servers and serves until SIGTERM.
import { startCluster } from '../../src/index.js';

const c = await startCluster({ brokers: 3, config: { 'message.max.bytes': '10485760' } });
process.stdout.write(`${c.bootstrap}\n`);
process.on('SIGTERM', () => void c.close().then(() => process.exit(0)));
