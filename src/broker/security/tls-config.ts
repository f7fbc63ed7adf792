// TLS for an SSL or SASL_SSL listener, from Kafka's configs (2.7+ PEM keystores, or
// PKCS12): the broker's key and certificate chain, the CAs it trusts for client
// certificates, ssl.client.auth, the protocol versions and cipher suites. A config may be
// given for the listener alone (`listener.name.<listener>.ssl.*`). JKS keystores are out
// of scope: a JVM format.
import fs from 'node:fs';
import type tls from 'node:tls';
import { ConfigError } from '../config.js';
import { listenerConfig } from './listener-configs.js';

export interface TlsSettings {
  options: tls.TlsOptions;
  /** ssl.client.auth: none, requested (a certificate if the client has one) or required. */
  clientAuth: 'none' | 'requested' | 'required';
  /** Files the settings were read from: a change to one reloads them. */
  files: string[];
}

interface Configs {
  get(name: string): string | null;
}

/**
 * Reads the listener's TLS settings; throws ConfigError for what is missing or not served.
 * A client (`keystore` optional) may go without a keystore: it then shows no certificate.
 */
export function tlsSettings(config: Configs, listener: string, keystore: 'required' | 'optional' = 'required'): TlsSettings {
  const get = (name: string) => listenerConfig(config, listener, name);
  const files: string[] = [];
  const read = (path: string) => {
    files.push(path);
    try {
      return fs.readFileSync(path);
    } catch (e) {
      throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`);
    }
  };
  const options: tls.TlsOptions = {};
  const keystoreType = (get('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const location = get('ssl.keystore.location');
  if (keystore === 'optional' && !location && !get('ssl.keystore.key')) {
    // No keystore: no client certificate.
  } else if (keystoreType === 'PEM') {
    const inlineKey = get('ssl.keystore.key');
    const inlineChain = get('ssl.keystore.certificate.chain');
    const pem = location ? read(location) : null;
    options.key = inlineKey ?? pem ?? undefined;
    options.cert = inlineChain ?? pem ?? undefined;
    if (!options.key || !options.cert) throw new ConfigError(`listener ${listener}: ssl.keystore.type=PEM needs ssl.keystore.location, or ssl.keystore.key and ssl.keystore.certificate.chain`);
    const passphrase = get('ssl.key.password');
    if (passphrase) options.passphrase = passphrase;
  } else if (keystoreType === 'PKCS12') {
    if (!location) throw new ConfigError(`listener ${listener}: ssl.keystore.type=PKCS12 needs ssl.keystore.location`);
    options.pfx = read(location);
    const passphrase = get('ssl.keystore.password');
    if (passphrase) options.passphrase = passphrase;
  } else {
    throw new ConfigError(`listener ${listener}: ssl.keystore.type ${keystoreType} is not served (PEM and PKCS12 are; JKS is a JVM format)`);
  }
  const truststoreType = (get('ssl.truststore.type') ?? 'PEM').toUpperCase();
  const trustLocation = get('ssl.truststore.location');
  const trustInline = get('ssl.truststore.certificates');
  if (trustLocation || trustInline) {
    if (truststoreType !== 'PEM') throw new ConfigError(`listener ${listener}: ssl.truststore.type ${truststoreType} is not served (PEM is)`);
    options.ca = trustInline ?? read(trustLocation!);
  }
  const clientAuth = (get('ssl.client.auth') ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') throw new ConfigError(`ssl.client.auth must be none, requested or required, got ${clientAuth}`);
  options.requestCert = clientAuth !== 'none';
  // Checked per connection (tls-listener.ts): a bad certificate fails even when one is only requested.
  options.rejectUnauthorized = false;
  const protocols = (get('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3').split(',').map((p) => p.trim()).filter(Boolean);
  const known: tls.SecureVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
  const versions = known.filter((v) => protocols.includes(v));
  if (versions.length === 0) throw new ConfigError(`ssl.enabled.protocols names none of ${known.join(', ')}`);
  options.minVersion = versions[0]!;
  options.maxVersion = versions[versions.length - 1]!;
  const ciphers = get('ssl.cipher.suites');
  if (ciphers) options.ciphers = ciphers.split(',').map((c) => c.trim()).filter(Boolean).join(':');
  return { options, clientAuth, files };
}

/**
 * The principal of a client certificate as Kafka's DefaultKafkaPrincipalBuilder forms it
 * with ssl.principal.mapping.rules=DEFAULT: the subject's distinguished name in RFC 2253
 * form (most specific attribute first), e.g. `CN=alice,O=acme,C=US`.
 */
export function certificatePrincipal(subject: string): string {
  return subject.split('\n').filter(Boolean).reverse().map((rdn) => rdn.replace(/([,+"\\<>;])/g, '\\$1')).join(',');
}
