// SCRAM credentials (KIP-554) as Kafka's ScramControlManager keeps them: per user and
// mechanism (SCRAM-SHA-256 = 1, SCRAM-SHA-512 = 2), the salt, the iteration count and the
// keys a SCRAM server checks a client against (RFC 5802: StoredKey = H(HMAC(SaltedPassword,
// "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")). Neither the password nor
// the salted password is kept: what is stored cannot be used to log in.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';

export const SCRAM_MECHANISMS = { 1: { name: 'SCRAM-SHA-256', hash: 'sha256' }, 2: { name: 'SCRAM-SHA-512', hash: 'sha512' } } as const;
export type MechanismType = keyof typeof SCRAM_MECHANISMS;

/** Kafka's ScramMechanism minIterations (4096 for both) and ScramControlManager's MAX_ITERATIONS. */
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 16384;

export interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

export const isMechanism = (type: number): type is MechanismType => type === 1 || type === 2;

export const mechanismByName = (name: string): MechanismType | null => (name === 'SCRAM-SHA-256' ? 1 : name === 'SCRAM-SHA-512' ? 2 : null);

/** The server's keys from a client's salted password (what AlterUserScramCredentials carries). */
export function credentialFrom(mechanism: MechanismType, salt: Buffer, saltedPassword: Buffer, iterations: number): ScramCredential {
  const hash = SCRAM_MECHANISMS[mechanism].hash;
  const clientKey = createHmac(hash, saltedPassword).update('Client Key').digest();
  return {
    salt: Buffer.from(salt),
    storedKey: createHash(hash).update(clientKey).digest(),
    serverKey: createHmac(hash, saltedPassword).update('Server Key').digest(),
    iterations,
  };
}

/** RFC 5802's Hi(): the salted password, as a client (or `--add-scram`) computes it. */
export function saltedPassword(mechanism: MechanismType, password: string, salt: Buffer, iterations: number): Buffer {
  const hash = SCRAM_MECHANISMS[mechanism].hash;
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, hash === 'sha256' ? 32 : 64, hash);
}

/** A credential made from a password (a bootstrap user), with a random salt. */
export function credentialForPassword(mechanism: MechanismType, password: string, iterations = MIN_ITERATIONS, salt = randomBytes(32)): ScramCredential {
  return credentialFrom(mechanism, salt, saltedPassword(mechanism, password, salt, iterations), iterations);
}

/** How a credential is kept in the cluster metadata: its parts in base64, and the iteration count. */
export const encodeCredential = (c: ScramCredential): string => [c.salt, c.storedKey, c.serverKey].map((b) => b.toString('base64')).concat(String(c.iterations)).join(':');

export function decodeCredential(s: string): ScramCredential {
  const [salt, storedKey, serverKey, iterations] = s.split(':');
  return { salt: Buffer.from(salt ?? '', 'base64'), storedKey: Buffer.from(storedKey ?? '', 'base64'), serverKey: Buffer.from(serverKey ?? '', 'base64'), iterations: Number(iterations) };
}

type Outcome = { errorCode: number; errorMessage: string | null };

/** validateScramUsernameAndMechanism, then (for an upsertion) the iteration bounds. */
function refusal(name: string, mechanism: number, iterations: number | null): Outcome | null {
  if (name === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
  if (!isMechanism(mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' };
  if (iterations !== null && iterations < MIN_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' };
  if (iterations !== null && iterations > MAX_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' };
  return null;
}

/** Credentials by user, then by mechanism type (as strings: the metadata's JSON keys). */
export type CredentialsByUser = ReadonlyMap<string, Readonly<Record<string, string>>>;

export interface Alteration {
  /** Per user: the answer, in Kafka's order (deletions, then upsertions, then refusals). */
  results: Array<{ user: string } & Outcome>;
  /** Per user whose change is taken: its mechanisms' credentials after it (empty: none left). */
  changes: Map<string, Record<string, string>>;
}

/**
 * Kafka's ScramControlManager.alterCredentials: one change per user per request (a second
 * is DUPLICATE_RESOURCE), each checked; a user's change is taken or refused whole.
 */
export function alterCredentials(
  current: CredentialsByUser,
  deletions: ReadonlyArray<{ name: string; mechanism: number }>,
  upsertions: ReadonlyArray<{ name: string; mechanism: number; iterations: number; salt: Buffer; saltedPassword: Buffer }>,
): Alteration {
  const errors = new Map<string, Outcome>();
  const toDelete = new Map<string, { name: string; mechanism: number }>();
  const toUpsert = new Map<string, (typeof upsertions)[number]>();
  const duplicate: Outcome = { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' };
  for (const d of deletions) {
    if (errors.has(d.name)) continue;
    if (toDelete.delete(d.name)) {
      errors.set(d.name, duplicate);
      continue;
    }
    const bad = refusal(d.name, d.mechanism, null)
      ?? (current.get(d.name)?.[d.mechanism] === undefined ? { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' } : null);
    if (bad) errors.set(d.name, bad);
    else toDelete.set(d.name, d);
  }
  for (const u of upsertions) {
    if (errors.has(u.name)) continue;
    if (toDelete.delete(u.name) || toUpsert.delete(u.name)) {
      errors.set(u.name, duplicate);
      continue;
    }
    const bad = refusal(u.name, u.mechanism, u.iterations);
    if (bad) errors.set(u.name, bad);
    else toUpsert.set(u.name, u);
  }
  const changes = new Map<string, Record<string, string>>();
  const results: Alteration['results'] = [];
  for (const d of toDelete.values()) {
    const next = { ...(current.get(d.name) ?? {}) };
    delete next[d.mechanism];
    changes.set(d.name, next);
    results.push({ user: d.name, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  for (const u of toUpsert.values()) {
    const cred = credentialFrom(u.mechanism as MechanismType, u.salt, u.saltedPassword, u.iterations);
    changes.set(u.name, { ...(current.get(u.name) ?? {}), [u.mechanism]: encodeCredential(cred) });
    results.push({ user: u.name, errorCode: ErrorCode.NONE, errorMessage: null });
  }
  for (const [user, e] of errors) results.push({ user, ...e });
  return { results, changes };
}

/** Kafka's ScramImage.describe: every user with credentials, or those named (a name twice is DUPLICATE_RESOURCE). */
export function describeCredentials(current: CredentialsByUser, users: ReadonlyArray<{ name: string }> | null) {
  const asked = new Map<string, boolean>();
  if (!users || users.length === 0) for (const user of [...current.keys()].sort()) asked.set(user, false);
  else for (const { name } of users) asked.set(name, asked.has(name));
  return [...asked].map(([user, twice]) => {
    if (twice) return { user, errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`, credentialInfos: [] };
    const creds = current.get(user) ?? {};
    const credentialInfos = ([1, 2] as const).filter((m) => creds[m] !== undefined).map((mechanism) => ({ mechanism, iterations: decodeCredential(creds[mechanism]!).iterations }));
    if (credentialInfos.length === 0) return { user, errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: `Attempt to describe a user credential that does not exist: ${user}`, credentialInfos };
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
  });
}
