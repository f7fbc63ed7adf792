// SCRAM users a cluster starts with, as `kafka-storage format --add-scram` takes them:
// 'SCRAM-SHA-256=[name=alice,password=alice-secret]', optionally with iterations= and
// salt= (base64). Written at start when the cluster has no credential of that user and
// mechanism, so a restarted or added broker changes nothing that was altered since.
import { ConfigError } from '../config.js';
import { type MechanismType, credentialForPassword, encodeCredential, mechanismByName } from './scram-credentials.js';

export interface ScramUser {
  mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  name: string;
  password: string;
  iterations?: number;
  /** base64; a random one when absent. */
  salt?: string;
}

/** Parses one `--add-scram` argument; throws ConfigError with the form expected. */
export function parseAddScram(arg: string): ScramUser {
  const m = /^(SCRAM-SHA-256|SCRAM-SHA-512)=\[(.*)\]$/.exec(arg.trim());
  if (!m) throw new ConfigError(`--add-scram expects SCRAM-SHA-256=[name=...,password=...] or SCRAM-SHA-512=[...], got ${arg}`);
  const fields = new Map<string, string>();
  for (const part of m[2]!.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw new ConfigError(`--add-scram: ${part} is not key=value`);
    fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const name = fields.get('name');
  const password = fields.get('password');
  if (!name || password === undefined) throw new ConfigError(`--add-scram needs name= and password=, got ${arg}`);
  const iterations = fields.has('iterations') ? Number(fields.get('iterations')) : undefined;
  if (iterations !== undefined && (!Number.isInteger(iterations) || iterations < 4096 || iterations > 16384)) throw new ConfigError(`--add-scram: iterations must be 4096-16384, got ${fields.get('iterations')}`);
  return { mechanism: m[1] as ScramUser['mechanism'], name, password, ...(iterations !== undefined ? { iterations } : {}), ...(fields.has('salt') ? { salt: fields.get('salt')! } : {}) };
}

/** Writes the users the cluster has no credential of yet. */
export async function bootstrapScramUsers(
  metadata: { readonly scramCredentials: ReadonlyMap<string, Readonly<Record<string, string>>>; setNamedConfigs(kind: 'scram-credentials', name: string, configs: Record<string, string>): Promise<void> },
  users: readonly ScramUser[],
): Promise<void> {
  for (const u of users) {
    const mechanism = mechanismByName(u.mechanism) as MechanismType;
    const current = metadata.scramCredentials.get(u.name) ?? {};
    if (current[mechanism] !== undefined) continue;
    const credential = credentialForPassword(mechanism, u.password, u.iterations, u.salt !== undefined ? Buffer.from(u.salt, 'base64') : undefined);
    await metadata.setNamedConfigs('scram-credentials', u.name, { ...current, [mechanism]: encodeCredential(credential) });
  }
}
