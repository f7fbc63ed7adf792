// Signs a JWT as an identity provider would (RS*, PS* and ES* with node:crypto), for
// tests of OAUTHBEARER with signed tokens.
import { constants, type KeyObject, sign } from 'node:crypto';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

export function signJwt(claims: object, key: KeyObject, alg: string, kid?: string): string {
  const head = `${b64({ alg, typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64(claims)}`;
  const hash = `sha${alg.slice(2)}`;
  const sig = alg.startsWith('PS')
    ? sign(hash, Buffer.from(head), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
    : sign(hash, Buffer.from(head), { key, dsaEncoding: 'ieee-p1363' });
  return `${head}.${sig.toString('base64url')}`;
}
