// The HTTP listener's principals are the Kafka listeners' own: `Authorization: Basic` is a
// user and password checked by a SASL listener's PLAIN or SCRAM server (the JAAS users,
// the cluster's SCRAM credentials), `Authorization: Bearer` a token checked by its
// OAUTHBEARER validator, and no header is User:ANONYMOUS, as on a PLAINTEXT listener.
// With an authorizer on, reading (GET) takes DESCRIBE on the cluster and changing
// anything ALTER, as the Kafka APIs that do the same take them.
import type { HttpGate } from '../http/control-plane.js';
import { AclOperation } from './acl.js';
import type { Authorizer } from './authorizer.js';
import type { ListenerSecurity } from './listener-security.js';
import { authenticateWith, OAuthBearerClient, PlainClient, type SaslClient, ScramClient } from './sasl-client.js';

/** The principal an Authorization header proves, ANONYMOUS without one; null when it proves nothing (a wrong password, a bad token, an unknown scheme). */
export function httpPrincipal(authorization: string | undefined, listeners: Iterable<ListenerSecurity>): string | null {
  if (authorization === undefined) return 'ANONYMOUS';
  const m = /^(Basic|Bearer)\s+(\S+)$/i.exec(authorization.trim());
  if (!m) return null;
  let clientFor: (mechanism: string) => SaslClient | null;
  if (m[1]!.toLowerCase() === 'bearer') {
    clientFor = (mech) => (mech === 'OAUTHBEARER' ? new OAuthBearerClient(() => m[2]!) : null);
  } else {
    const decoded = Buffer.from(m[2]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return null;
    const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
    clientFor = (mech) => (mech === 'PLAIN' ? new PlainClient(user, password) : mech.startsWith('SCRAM-') ? new ScramClient(mech, user, password) : null);
  }
  for (const listener of listeners) {
    for (const mechanism of listener.mechanisms) {
      const client = clientFor(mechanism);
      const server = client && listener.mechanism(mechanism);
      if (!client || !server) continue;
      try {
        return authenticateWith(client, server);
      } catch {
        // Another mechanism or listener may know the user.
      }
    }
  }
  return null;
}

/** The gate of the HTTP listener: none without an authorizer, as a Kafka broker without one lets every request through. */
export function httpGate(authorizer: Authorizer, listeners: () => Iterable<ListenerSecurity>): HttpGate | null {
  if (!authorizer.enabled) return null;
  return {
    check(authorization, remoteAddress, write) {
      const principal = httpPrincipal(authorization, listeners());
      if (principal === null) return 'unauthenticated';
      return authorizer.access({ principal, remoteAddress }).cluster(write ? AclOperation.ALTER : AclOperation.DESCRIBE) ? 'allowed' : 'forbidden';
    },
  };
}
