import { startCluster } from './dist/src/index.js';
const c = await startCluster({ brokers: 3, logLevel: process.env.LOG ?? 'silent' });
console.log(c.bootstrap);
process.on('SIGTERM', async () => { await c.close(); process.exit(0); });
setInterval(() => {}, 1000);
