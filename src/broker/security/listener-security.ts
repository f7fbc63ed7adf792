// The security of one of the broker's listeners, from Kafka's configs: its name in `listeners`,
// its protocol through `listener.security.protocol.map`, its TLS for SSL and SASL_SSL
// (tls-config.ts), and for SASL_PLAINTEXT and SASL_SSL the
// mechanisms of `sasl.enabled.mechanisms` (PLAIN against the JAAS users of
// `listener.name.<listener>.plain.sasl.jaas.config` or `sasl.jaas.config`; SCRAM-SHA-256
// and -512 against the cluster's credentials; OAUTHBEARER with signed JWTs against a JWKS,
// or Kafka's default validator of unsecured JWS tokens). GSSAPI is not served: a listener that needs it is refused at start.
import { ConfigError } from '../config.js';
import { listenerConfig, listenerKey } from './listener-configs.js';
import { parseJaas, plainUsers } from './jaas.js';
import { OAuthBearerServer, PlainServer, type SaslMechanism, ScramServer, type TokenValidator, unsecuredJwsValidator } from './sasl-mechanisms.js';
import { jwksSource, validateJwt } from './jwt-validator.js';
import { type PrincipalMapper, principalMapper } from './principal-mapper.js';
import { type TlsSettings, tlsSettings } from './tls-config.js';

export const SUPPORTED_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'];

export interface ListenerSecurity {
  /** The listener's name as `listeners` gives it (PLAINTEXT, SASL_PLAINTEXT, or one of the map's). */
  readonly listener: string;
  readonly protocol: 'PLAINTEXT' | 'SASL_PLAINTEXT' | 'SSL' | 'SASL_SSL';
  /** Whether clients authenticate with SASL (SASL_PLAINTEXT, SASL_SSL). */
  readonly sasl: boolean;
  /** The listener's TLS (SSL, SASL_SSL), read again when asked (a certificate file changed); null without. */
  readonly tls: (() => TlsSettings) | null;
  /** The SASL mechanisms clients may use, in `sasl.enabled.mechanisms` order. */
  readonly mechanisms: readonly string[];
  /** The server side of `mechanism` for a new exchange; null when it is not enabled. */
  mechanism(name: string): SaslMechanism | null;
  /** A client certificate's principal from its distinguished name (ssl.principal.mapping.rules); null when no rule applies. */
  readonly sslPrincipal: PrincipalMapper;
  /** Stops what the listener's security refreshes in the background (a JWKS fetched over http). */
  close(): void;
  /** Failed authentications so far (socket-server-metrics failed-authentication-total). */
  failures: number;
}

interface Configs {
  get(name: string): string | null;
}

export type SecurityProtocol = ListenerSecurity['protocol'];

/** The listener's protocol through listener.security.protocol.map (a name not in it is its own protocol); throws ConfigError for an unknown one. */
export function securityProtocol(config: Configs, listener: string): SecurityProtocol {
  const map = new Map((config.get('listener.security.protocol.map') ?? '').split(',').map((e) => e.trim().split(':') as [string, string]).filter((e) => e.length === 2).map(([k, v]) => [k.toUpperCase(), v.toUpperCase()]));
  const protocol = map.get(listener) ?? listener;
  if (protocol !== 'PLAINTEXT' && protocol !== 'SASL_PLAINTEXT' && protocol !== 'SSL' && protocol !== 'SASL_SSL') {
    throw new ConfigError(`listener ${listener}: unknown security protocol ${protocol}`);
  }
  return protocol;
}

/** The listener's SASL mechanisms: `listener.name.<listener>.sasl.enabled.mechanisms`, else `sasl.enabled.mechanisms`. */
export function enabledMechanisms(config: Configs, listener: string): string[] {
  const list = listenerConfig(config, listener, 'sasl.enabled.mechanisms') ?? '';
  return list.split(',').map((m) => m.trim()).filter(Boolean);
}

/**
 * Builds the security of `listener` (a name of `listeners`) from the broker configs; throws
 * ConfigError for what is not served. `warn` logs what an operator must hear of later (a
 * JWKS that cannot be fetched).
 */
export function listenerSecurity(config: Configs, listener: string, credentials: () => ReadonlyMap<string, Readonly<Record<string, string>>>, warn: (message: string) => void = () => undefined): ListenerSecurity {
  const protocol = securityProtocol(config, listener);
  const secure = protocol === 'SSL' || protocol === 'SASL_SSL';
  // Read once now, so a bad keystore stops the start; again on each reload.
  if (secure) tlsSettings(config, listener);
  const tls = secure ? () => tlsSettings(config, listener) : null;
  const sslPrincipal = principalMapper(listenerConfig(config, listener, 'ssl.principal.mapping.rules'));
  if (protocol === 'PLAINTEXT' || protocol === 'SSL') return { listener, protocol, sasl: false, tls, sslPrincipal, mechanisms: [], mechanism: () => null, close: () => undefined, failures: 0 };
  const mechanisms = enabledMechanisms(config, listener);
  const unsupported = mechanisms.filter((m) => !SUPPORTED_MECHANISMS.includes(m));
  if (mechanisms.length === 0 || unsupported.length > 0) {
    throw new ConfigError(`sasl.enabled.mechanisms: ${unsupported.join(', ') || '(none)'} not served; set it to some of ${SUPPORTED_MECHANISMS.join(', ')} (GSSAPI/Kerberos is out of scope)`);
  }
  const jaasFor = (m: string) => listenerConfig(config, listener, `${m.toLowerCase()}.sasl.jaas.config`, 'sasl.jaas.config');
  let users: Map<string, string> | null = null;
  if (mechanisms.includes('PLAIN')) {
    const jaas = jaasFor('PLAIN');
    if (!jaas) throw new ConfigError(`listener ${listener}: PLAIN needs a PlainLoginModule entry in ${listenerKey(listener, 'plain.sasl.jaas.config')} or sasl.jaas.config`);
    users = plainUsers(parseJaas(jaas));
  }
  const oauth = mechanisms.includes('OAUTHBEARER') ? oauthValidator(config, listener, jaasFor('OAUTHBEARER'), warn) : null;
  return {
    listener, protocol, sasl: true, tls, sslPrincipal, mechanisms, failures: 0,
    close: () => oauth?.stop(),
    mechanism(name) {
      if (!mechanisms.includes(name)) return null;
      if (name === 'PLAIN') return new PlainServer(users!);
      if (name === 'OAUTHBEARER') return new OAuthBearerServer(oauth!.validate);
      return new ScramServer(name, credentials());
    },
  };
}

/**
 * The listener's OAUTHBEARER token validator: with `sasl.oauthbearer.jwks.endpoint.url`
 * (Kafka's OAuthBearerValidatorCallbackHandler), signed JWTs against the provider's keys;
 * without it, Kafka's default of unsecured JWS tokens, configured by the JAAS entry.
 */
function oauthValidator(config: Configs, listener: string, jaas: string | null, warn: (message: string) => void): { validate: TokenValidator; stop(): void } {
  const get = (name: string) => listenerConfig(config, listener, `oauthbearer.${name}`, name);
  const url = get('sasl.oauthbearer.jwks.endpoint.url');
  if (url) {
    const keys = jwksSource(url, Number(get('sasl.oauthbearer.jwks.endpoint.refresh.ms') ?? 3_600_000), warn);
    const options = {
      expectedAudience: (get('sasl.oauthbearer.expected.audience') ?? '').split(',').map((x) => x.trim()).filter(Boolean),
      expectedIssuer: get('sasl.oauthbearer.expected.issuer'),
      subClaim: get('sasl.oauthbearer.sub.claim.name') ?? 'sub',
      scopeClaim: get('sasl.oauthbearer.scope.claim.name') ?? 'scope',
      clockSkewMs: Number(get('sasl.oauthbearer.clock.skew.seconds') ?? 30) * 1000,
    };
    return { validate: (token) => validateJwt(token, keys.keys(), options, Date.now()), stop: () => keys.stop() };
  }
  const o = jaas ? parseJaas(jaas).options : {};
  const validate = unsecuredJwsValidator({
    principalClaim: o.unsecuredValidatorPrincipalClaimName ?? 'sub',
    scopeClaim: o.unsecuredValidatorScopeClaimName ?? 'scope',
    requiredScope: (o.unsecuredValidatorRequiredScope ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    allowableClockSkewMs: Number(o.unsecuredValidatorAllowableClockSkewMs ?? 0),
  });
  return { validate, stop: () => undefined };
}
