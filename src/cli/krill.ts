// `krill start [--host H] [--port P] [--data-dir D] [--broker-id N] [--metadata etcd://H:P] [--config server.properties] [--set k=v ...]`
import { Broker } from '../broker/broker.js';
import { parseStartArgs, USAGE } from './args.js';

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd !== 'start') {
    process.stderr.write(`${USAGE}\n`);
    process.exit(cmd === undefined || cmd === '--help' ? 0 : 2);
  }
  let opts;
  try {
    opts = parseStartArgs(rest);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (!opts.config['log.dirs'] && !opts.config['log.dir']) opts.config['log.dirs'] = './data';
  // The etcd client (gRPC) is only loaded when asked for: it would slow every start-up.
  const store = opts.metadata ? (await import('../broker/controller/etcd-store.js')).EtcdStore.fromUrl(opts.metadata) : undefined;
  const broker = await Broker.start({
    config: opts.config, logLevel: opts.logLevel, features: opts.features, testKit: opts.testKit, clock: opts.clock, ...(opts.http ? { http: opts.http } : {}), ...(store ? { store } : {}),
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    broker.logger.info(`${signal}: shutting down`);
    broker.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`krill: ${(e as Error).message}\n`);
  process.exit(1);
});
