// How this broker authenticates to the others on the inter-broker listener, as a Kafka
// broker does: over TLS (SSL, SASL_SSL) with its own keystore as the client certificate,
// checking the peer against its truststore and, unless
// `ssl.endpoint.identification.algorithm` is empty, its host name; with SASL
// (SASL_PLAINTEXT, SASL_SSL) by `sasl.mechanism.inter.broker.protocol` and the client
// credentials of the listener's JAAS entry for it (`username` and `password`, or for
// OAUTHBEARER the unsecured-token options). The krill CLI's connections are built the same
// way from a client's properties (--command-config).
import net from 'node:net';
import tls from 'node:tls';
import { ConfigError } from '../config.js';
import { parseJaas } from './jaas.js';
import { PlainClient, type SaslClient, ScramClient, UnsecuredOAuthClient } from './sasl-client.js';
import { enabledMechanisms, securityProtocol } from './listener-security.js';
import { tlsSettings } from './tls-config.js';
import { listenerConfig, listenerKey } from './listener-configs.js';

export interface PeerTransport {
  /** The TLS options of a connection to `host`; null on a listener without TLS. */
  tls(host: string): tls.ConnectionOptions | null;
  /** A SASL client for a new connection; null on a listener without SASL. Throws when the listener's JAAS entry has no credentials for it. */
  sasl(): SaslClient | null;
}

interface Configs {
  get(name: string): string | null;
  lookup(name: string): { value: string | null; source: number };
}

/**
 * The transport to the other brokers' `listener`. `strict` (the listener was named by
 * inter.broker.listener.name or security.inter.broker.protocol) refuses missing client
 * credentials at start; otherwise they fail the first connection, as a single broker never makes one.
 */
export function peerTransport(config: Configs, listener: string, defaultSource: number, strict: boolean): PeerTransport {
  const protocol = securityProtocol(config, listener);
  const tlsFor = protocol === 'SSL' || protocol === 'SASL_SSL' ? (host: string) => clientTls(config, listener, host, 'required') : () => null;
  if (protocol === 'PLAINTEXT' || protocol === 'SSL') return { tls: tlsFor, sasl: () => null };
  const enabled = enabledMechanisms(config, listener);
  const chosen = config.lookup('sasl.mechanism.inter.broker.protocol');
  // Kafka's default is GSSAPI, not served here: unset, the first enabled mechanism is used.
  const mechanism = chosen.source === defaultSource ? enabled[0] ?? 'PLAIN' : chosen.value ?? '';
  if (!enabled.includes(mechanism)) throw new ConfigError(`sasl.mechanism.inter.broker.protocol must be included in sasl.enabled.mechanisms when SASL is used for inter-broker communication (${mechanism} is not in ${enabled.join(',')})`);
  const jaasKey = `${mechanism.toLowerCase()}.sasl.jaas.config`;
  const where = `inter-broker listener ${listener}: the ${mechanism} JAAS entry (${listenerKey(listener, jaasKey)} or sasl.jaas.config)`;
  const client = () => saslClient(mechanism, listenerConfig(config, listener, jaasKey, 'sasl.jaas.config'), where);
  if (strict) client();
  return { tls: tlsFor, sasl: client };
}

/**
 * A Kafka client's transport from its properties, as Kafka's tools read `--command-config`:
 * `security.protocol`, `sasl.mechanism` with `sasl.jaas.config`, and the `ssl.*` truststore
 * (and keystore, for mutual TLS) configs a listener reads.
 */
export function clientTransport(props: Readonly<Record<string, string>>): PeerTransport {
  const config = { get: (name: string) => props[name] ?? null };
  const protocol = (props['security.protocol'] ?? 'PLAINTEXT').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new ConfigError(`security.protocol: unknown security protocol ${protocol}`);
  const tlsFor = protocol.endsWith('SSL') ? (host: string) => clientTls(config, 'client', host, 'optional') : () => null;
  if (!protocol.startsWith('SASL')) return { tls: tlsFor, sasl: () => null };
  const mechanism = props['sasl.mechanism'] ?? 'GSSAPI';
  const client = () => saslClient(mechanism, props['sasl.jaas.config'] ?? null, 'sasl.jaas.config');
  client();
  return { tls: tlsFor, sasl: client };
}

/** A client's TLS options for a connection to `host`, from the keystore and truststore configs a listener reads (tls-config.ts). */
function clientTls(config: Pick<Configs, 'get'>, listener: string, host: string, keystore: 'required' | 'optional'): tls.ConnectionOptions {
  const { options } = tlsSettings(config, listener, keystore);
  const identify = (listenerConfig(config, listener, 'ssl.endpoint.identification.algorithm') ?? 'https') !== '';
  return {
    key: options.key, cert: options.cert, pfx: options.pfx, passphrase: options.passphrase, ca: options.ca,
    minVersion: options.minVersion, maxVersion: options.maxVersion, ciphers: options.ciphers,
    rejectUnauthorized: true,
    ...(net.isIP(host) ? {} : { servername: host }),
    checkServerIdentity: identify ? tls.checkServerIdentity : () => undefined,
  };
}

/** The client of `mechanism` with the credentials of a JAAS entry: username and password, or for OAUTHBEARER the unsecured-token options; `where` names the entry in errors. */
function saslClient(mechanism: string, jaas: string | null, where: string): SaslClient {
  const options = jaas ? parseJaas(jaas).options : {};
  if (mechanism === 'OAUTHBEARER') {
    const c = new UnsecuredOAuthClient(options);
    c.claims();
    return c;
  }
  if (mechanism !== 'PLAIN' && !mechanism.startsWith('SCRAM-SHA-')) throw new ConfigError(`SASL mechanism ${mechanism} is not served here (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and OAUTHBEARER are)`);
  const { username, password } = options;
  if (username === undefined || password === undefined) throw new ConfigError(`${where} needs username and password`);
  return mechanism === 'PLAIN' ? new PlainClient(username, password) : new ScramClient(mechanism, username, password);
}
