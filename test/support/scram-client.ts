// A SCRAM client (RFC 5802) with a chosen nonce, to drive the broker's SCRAM server with
// known inputs: the broker's own client (security/sasl-client.ts) seen step by step.
import { ScramClient } from '../../src/broker/security/sasl-client.js';

export function scramClient(hash: 'sha256' | 'sha512', user: string, password: string, clientNonce = 'fyko+d2lbbFgONRv9qkxdawL') {
  const client = new ScramClient(hash === 'sha256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', user, password, clientNonce);
  return {
    first: client.first(),
    final(serverFirst: Buffer): { message: Buffer; serverSignature: string } {
      const message = client.next(serverFirst)!;
      return { message, serverSignature: client.expectedServerFinal! };
    },
  };
}
