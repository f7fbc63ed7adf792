// Starts an in-process broker with in-memory storage (what test suites use), prints its
// bootstrap address and serves until SIGTERM. A separate process so that the load
// generator and the broker do not share an event loop. KRILL_BENCH_CONFIG (JSON) adds
// broker configs and KRILL_BENCH_SCRAM (`name:password`) a SCRAM-SHA-512 user: the
// security section's SASL_SSL listener.
import { startBroker } from '../../src/index.js';

const extra = JSON.parse(process.env.KRILL_BENCH_CONFIG ?? '{}') as Record<string, string>;
const [name, password] = (process.env.KRILL_BENCH_SCRAM ?? '').split(':');
const b = await startBroker({
  port: Number(process.argv[2] ?? 0), storage: 'memory', config: { 'message.max.bytes': '10485760', ...extra },
  scram: name && password ? [{ mechanism: 'SCRAM-SHA-512', name, password }] : [],
});
process.stdout.write(`${b.bootstrap}\n`);
process.on('SIGTERM', () => void b.close().then(() => process.exit(0)));
