// A SCRAM client (RFC 5802), to drive the broker's SCRAM server with known inputs.
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

export function scramClient(hash: 'sha256' | 'sha512', user: string, password: string, clientNonce = 'fyko+d2lbbFgONRv9qkxdawL') {
  const first = `n=${user},r=${clientNonce}`;
  return {
    first: Buffer.from(`n,,${first}`),
    final(serverFirst: Buffer): { message: Buffer; serverSignature: string } {
      const s = serverFirst.toString();
      const attrs = new Map(s.split(',').map((p) => [p[0]!, p.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs.get('s')!, 'base64'), Number(attrs.get('i')), hash === 'sha256' ? 32 : 64, hash);
      const clientKey = createHmac(hash, salted).update('Client Key').digest();
      const storedKey = createHash(hash).update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.get('r')}`;
      const authMessage = `${first},${s},${withoutProof}`;
      const signature = createHmac(hash, storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
      const serverKey = createHmac(hash, salted).update('Server Key').digest();
      return { message: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`), serverSignature: `v=${createHmac(hash, serverKey).update(authMessage).digest('base64')}` };
    },
  };
}
