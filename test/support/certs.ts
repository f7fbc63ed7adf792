// Certificates made at test time with Debian's openssl (no key is committed): a CA, a
// broker certificate for 127.0.0.1, client certificates it signed, and a client signed by
// another CA the broker does not trust.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCerts {
  dir: string;
  ca: string;
  /** The broker's key and chain in one PEM file, as ssl.keystore.location holds them. */
  brokerPem: string;
  client: { key: string; cert: string };
  stranger: { key: string; cert: string };
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

function signed(dir: string, name: string, subject: string, ca: string, caKey: string, ext?: string): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const extArgs = ext ? ['-extfile', path.join(dir, `${name}.ext`)] : [];
  if (ext) fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2', ...extArgs]);
}

export function makeCerts(dir: string): TestCerts {
  fs.mkdirSync(dir, { recursive: true });
  for (const ca of ['ca', 'other-ca']) openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=${ca}`]);
  signed(dir, 'broker', '/CN=localhost', 'ca.crt', 'ca.key', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  signed(dir, 'client', '/C=US/O=krill/CN=alice', 'ca.crt', 'ca.key');
  signed(dir, 'stranger', '/CN=mallory', 'other-ca.crt', 'other-ca.key');
  const p = (f: string) => path.join(dir, f);
  fs.writeFileSync(p('broker.pem'), fs.readFileSync(p('broker.key')).toString() + fs.readFileSync(p('broker.crt')).toString());
  return { dir, ca: p('ca.crt'), brokerPem: p('broker.pem'), client: { key: p('client.key'), cert: p('client.crt') }, stranger: { key: p('stranger.key'), cert: p('stranger.crt') } };
}
