// Command-line parsing for `krill start`, kept apart from the entry point so it can be tested.
import fs from 'node:fs';
import { ConfigError, parseProperties } from '../broker/config.js';
import { type FeatureLevels, parseFeature } from '../broker/features.js';
import type { LogLevel } from '../broker/logger.js';
import { parseAddScram, type ScramUser } from '../broker/security/scram-bootstrap.js';

export const USAGE = `usage: krill start [--host 127.0.0.1] [--port 9092] [--data-dir ./data] [--broker-id 0]
                   [--metadata etcd://127.0.0.1:2379] [--rack r1]
                   [--config server.properties] [--set key=value ...] [--log-level info]
                   [--feature transaction.version=2 ...] [--add-scram 'SCRAM-SHA-256=[name=u,password=p]' ...]
                   [--http-port 0] [--http-host 127.0.0.1] [--test-kit] [--clock system|virtual]
       krill topic|produce|consume|group|cluster ...   (krill topic --help for theirs)`;

export interface StartArgs {
  config: Record<string, string>;
  host?: string;
  port?: number;
  logLevel: LogLevel;
  /** Where the cluster metadata lives: etcd://host:port[,host:port]; absent, an embedded store in the data dir. */
  metadata?: string;
  /** Finalized feature levels, as `kafka-storage format --feature name=level`. */
  features: FeatureLevels;
  /** SCRAM users to start with, as `kafka-storage format --add-scram`. */
  scram: ScramUser[];
  /** The HTTP control plane's listener, when asked for. */
  http?: { host: string; port: number };
  /** Started for testing: the test kit's endpoints answer. */
  testKit: boolean;
  clock: 'system' | 'virtual';
}

export function parseStartArgs(argv: string[]): StartArgs {
  const config: Record<string, string> = {};
  let host: string | undefined;
  let port: number | undefined;
  let logLevel: LogLevel = 'info';
  let metadata: string | undefined;
  const features: FeatureLevels = {};
  const scram: ScramUser[] = [];
  let httpPort: number | undefined;
  let httpHost = '127.0.0.1';
  let testKit = false;
  let clock: 'system' | 'virtual' = 'system';
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
      case '--rack': sets['broker.rack'] = next(); break;
      case '--metadata':
        metadata = next();
        if (!/^etcd:\/\/[^/]+$/.test(metadata)) throw new ConfigError(`--metadata expects etcd://host:port[,host:port], got ${metadata}`);
        break;
      case '--config': Object.assign(config, parseProperties(fs.readFileSync(next(), 'utf8'))); break;
      case '--log-level': logLevel = next() as LogLevel; break;
      case '--http-port':
        httpPort = Number(next());
        if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) throw new ConfigError(`--http-port expects a port, got ${argv[i]}`);
        break;
      case '--http-host': httpHost = next(); break;
      case '--test-kit': testKit = true; break;
      case '--clock': {
        const c = next();
        if (c !== 'system' && c !== 'virtual') throw new ConfigError(`--clock expects system or virtual, got ${c}`);
        clock = c;
        break;
      }
      case '--feature': {
        const [name, level] = parseFeature(next());
        features[name] = level;
        break;
      }
      case '--add-scram': scram.push(parseAddScram(next())); break;
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
  return { config, host, port, logLevel, features, scram, testKit, clock, ...(metadata ? { metadata } : {}), ...(httpPort !== undefined ? { http: { host: httpHost, port: httpPort } } : {}) };
}
