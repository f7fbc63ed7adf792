// `krill start [--host H] [--port P] [--data-dir D] [--broker-id N] [--metadata etcd://H:P] [--config server.properties] [--set k=v ...]`,
// and the client commands (commands.ts): `krill topic|produce|consume|group|cluster`.
import { Broker } from '../broker/broker.js';
import { parseStartArgs, USAGE } from './args.js';

const COMMANDS = new Set(['topic', 'produce', 'consume', 'group', 'cluster']);

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd !== undefined && COMMANDS.has(cmd)) {
    // Loaded only for these: a broker's start-up never loads the client.
    const { COMMANDS_USAGE, runCommand } = await import('./commands.js');
    const { CliError } = await import('./client.js');
    let code = 0;
    try {
      await runCommand(cmd, rest);
    } catch (e) {
      code = e instanceof CliError ? e.exitCode : 1;
      process.stderr.write(`krill ${cmd}: ${(e as Error).message}\n${code === 2 ? `${COMMANDS_USAGE}\n` : ''}`);
    }
    // What went to a pipe is written before the process ends.
    await new Promise((resolve) => process.stdout.write('', resolve));
    process.exit(code);
  }
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
    config: opts.config, logLevel: opts.logLevel, features: opts.features, scram: opts.scram, testKit: opts.testKit, clock: opts.clock, ...(opts.http ? { http: opts.http } : {}), ...(store ? { store } : {}),
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
