// The broker's listeners as Kafka configures them: `listeners=NAME://host:port,...`, the
// address each one is advertised at (`advertised.listeners`, by listener name), and the
// listener brokers use between themselves (`inter.broker.listener.name`, or the one that
// `security.inter.broker.protocol` names). A client is told the brokers' addresses on
// the listener it came in on; a broker without that listener is not shown to it.
import { ConfigError } from '../config.js';

export interface Endpoint {
  /** The listener's name, upper case as Kafka normalises it. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

/** `NAME://host:port`, `NAME://[::1]:port` or `NAME://:port` (every interface), as Kafka's EndPoint parses it. */
const ENTRY = /^([A-Za-z0-9_]+):\/\/\[?([0-9A-Za-z\-%._:]*?)\]?:(\d+)$/;

/** Parses a listeners list; throws ConfigError for a malformed entry or a name given twice. */
export function parseListeners(list: string, what = 'listeners'): Endpoint[] {
  const out: Endpoint[] = [];
  for (const entry of list.split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = ENTRY.exec(entry);
    const port = m ? Number(m[3]) : NaN;
    if (!m || port > 65535) throw new ConfigError(`${what}: ${entry} is not a listener (NAME://host:port)`);
    const name = m[1]!.toUpperCase();
    if (out.some((e) => e.name === name)) throw new ConfigError(`${what}: each listener must have a different name, ${name} is given twice`);
    out.push({ name, host: m[2]!, port });
  }
  if (out.length === 0) throw new ConfigError(`${what} names no listener (NAME://host:port,...)`);
  const ports = out.map((e) => e.port).filter((p) => p !== 0);
  if (what === 'listeners' && new Set(ports).size !== ports.length) throw new ConfigError(`listeners: each listener must have a different port: ${list}`);
  return out;
}

/**
 * Where clients are told to reach each bound listener: its `advertised.listeners` entry
 * (a port of 0 there means the one bound), else the address it listens on, with a
 * wildcard host told as 127.0.0.1. An advertised name that is no listener is refused, as Kafka refuses it.
 */
export function advertisedEndpoints(bound: readonly Endpoint[], advertised: string | null): Endpoint[] {
  const told = advertised ? parseListeners(advertised, 'advertised.listeners') : [];
  const stray = told.find((a) => !bound.some((b) => b.name === a.name));
  if (stray) throw new ConfigError(`advertised.listeners: ${stray.name} is not one of the listeners (${bound.map((b) => b.name).join(',')})`);
  return bound.map((b) => {
    const a = told.find((x) => x.name === b.name);
    if (a) return { name: b.name, host: a.host || loopback(b.host), port: a.port || b.port };
    return { name: b.name, host: loopback(b.host), port: b.port };
  });
}

const loopback = (host: string) => (host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host);

interface Configs {
  lookup(name: string): { value: string | null; source: number };
}

/**
 * The listener brokers reach each other on, and whether a config named it.
 * `inter.broker.listener.name` or `security.inter.broker.protocol` (a listener of that
 * name) must name one of `names`; with neither set, the PLAINTEXT listener, else the
 * first one (where Kafka would refuse to start: a lone broker on a SASL listener is a test suite's everyday case).
 */
export function interBrokerListener(config: Configs, names: readonly string[], defaultSource: number): { name: string; explicit: boolean } {
  const named = config.lookup('inter.broker.listener.name').value;
  const protocol = config.lookup('security.inter.broker.protocol');
  const protocolSet = protocol.source !== defaultSource;
  if (named && protocolSet) throw new ConfigError('Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.');
  const chosen = named ? named.toUpperCase() : protocolSet ? (protocol.value ?? '').toUpperCase() : null;
  if (chosen === null) return { name: names.includes('PLAINTEXT') ? 'PLAINTEXT' : names[0]!, explicit: false };
  if (!names.includes(chosen)) {
    throw new ConfigError(`inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${names.join(',')}`);
  }
  return { name: chosen, explicit: true };
}

/** A registered broker's address on `listener`; null when it has no such listener. Registrations from before listeners were named carry only one address. */
export function endpointOn(broker: { host: string; port: number; endpoints?: readonly Endpoint[] }, listener: string): { host: string; port: number } | null {
  if (!broker.endpoints) return broker;
  return broker.endpoints.find((e) => e.name === listener) ?? null;
}
