// `krill start [--host H] [--port P] [--data-dir D] [--broker-id N] [--config server.properties] [--set k=v ...]`
import fs from 'node:fs';
import { Broker } from '../broker/broker.js';
import { ConfigError, parseProperties } from '../broker/config.js';
import type { LogLevel } from '../broker/logger.js';

const USAGE = `usage: krill start [--host 127.0.0.1] [--port 9092] [--data-dir ./data] [--broker-id 0]
                   [--config server.properties] [--set key=value ...] [--log-level info]`;

export function parseStartArgs(argv: string[]): { config: Record<string, string>; host?: string; port?: number; logLevel: LogLevel } {
  const config: Record<string, string> = {};
  let host: string | undefined;
  let port: number | undefined;
  let logLevel: LogLevel = 'info';
  const sets: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--host': host = next(); break;
      case '--port': port = Number(next()); break;
      case '--data-dir': sets['log.dirs'] = next(); break;
      case '--broker-id': sets['broker.id'] = next(); break;
      case '--config': Object.assign(config, parseProperties(fs.readFileSync(next(), 'utf8'))); break;
      case '--log-level': logLevel = next() as LogLevel; break;
      case '--set': {
        const kv = next();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new ConfigError(`--set expects key=value, got ${kv}`);
        sets[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      default: throw new ConfigError(`unknown option ${a}`);
    }
  }
  // Command-line options win over the properties file.
  Object.assign(config, sets);
  if (host !== undefined || port !== undefined) {
    const h = host ?? '127.0.0.1';
    const p = port ?? 9092;
    if (!('listeners' in sets)) config['listeners'] = `PLAINTEXT://${h}:${p}`;
  }
  return { config, host, port, logLevel };
}

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
  const broker = await Broker.start({ config: opts.config, logLevel: opts.logLevel });
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
