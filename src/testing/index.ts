// Krill for test runners (`krill/testing`): one broker for a whole run with its address in
// the environment (Jest's and Vitest's global set-up use this), or one per test file with
// any runner's before/after hooks (node:test, ava, Mocha, Jest, Vitest); a topic
// namespace per file, so files that share a broker never meet; and a reset, for files
// that run one after another.
import { randomBytes } from 'node:crypto';
import { type RunningBroker, type RunningCluster, startBroker, type StartBrokerOptions, startCluster } from '../index.js';

/**
 * Where a run's broker is published for its test files (workers inherit the environment);
 * `brokers`, read by the global set-ups: how many brokers the run's cluster has (1 by default).
 */
export const ENV = { bootstrap: 'KRILL_BOOTSTRAP', http: 'KRILL_HTTP', brokers: 'KRILL_TEST_BROKERS' } as const;

/** Starts a broker for a test run, with its control plane, and publishes both addresses in the environment. */
export async function startTestBroker(opts: StartBrokerOptions = {}): Promise<RunningBroker> {
  const b = await startBroker({ http: true, ...opts });
  publish(b.bootstrap, b.http);
  return b;
}

/** The same with an in-process cluster of `brokers` brokers (leader failover, replication). */
export async function startTestCluster(brokers: number): Promise<RunningCluster> {
  const c = await startCluster({ brokers, http: true });
  publish(c.bootstrap, c.http);
  return c;
}

/** What a global set-up starts: a cluster when KRILL_TEST_BROKERS asks for more than one broker. Returns its close. */
export async function startForRun(): Promise<() => Promise<void>> {
  const n = Number(process.env[ENV.brokers] ?? '1');
  if (!Number.isInteger(n) || n < 1) throw new Error(`${ENV.brokers} must be a broker count, not ${process.env[ENV.brokers]}`);
  const running = n > 1 ? await startTestCluster(n) : await startTestBroker();
  return () => running.close();
}

function publish(bootstrap: string, http: string | null): void {
  process.env[ENV.bootstrap] = bootstrap;
  if (http) process.env[ENV.http] = http;
}

/** The run's broker, as a test file sees it. */
export function testBroker(): { bootstrap: string; http: string | null } {
  const bootstrap = process.env[ENV.bootstrap];
  if (!bootstrap) throw new Error(`no broker for this run: ${ENV.bootstrap} is not set (is krill/testing's global set-up configured?)`);
  return { bootstrap, http: process.env[ENV.http] ?? null };
}

/**
 * Names for one test file's topics, groups and transactional ids: `prefix` (the file's
 * name, say) and a random part, so two files, or two runs against one broker, never meet.
 */
export function namespace(prefix = 'test'): (name: string) => string {
  const id = `${prefix.replace(/[^A-Za-z0-9._-]/g, '_')}-${randomBytes(4).toString('hex')}`;
  return (name) => `${id}-${name}`;
}

/** Deletes every topic, group and transactional id of the run's broker (POST /v1/reset): for files run one after another. */
export async function resetTestBroker(): Promise<void> {
  const { http } = testBroker();
  if (!http) throw new Error(`${ENV.http} is not set: the broker has no control plane`);
  const res = await fetch(`${http}/v1/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`reset answered ${res.status}: ${await res.text()}`);
}

/** A runner's hooks: node:test's and Mocha's `before`/`after`, Jest's and Vitest's `beforeAll`/`afterAll`, ava's `test.before`/`test.after.always`. */
export interface Hooks {
  before(fn: () => Promise<void>): unknown;
  after(fn: () => Promise<void>): unknown;
}

/**
 * One broker for this test file, started before its tests and closed after them. The
 * returned object's fields are there once the tests run.
 */
export function useKrill(hooks: Hooks, opts: StartBrokerOptions = {}): { readonly broker: RunningBroker; readonly bootstrap: string } {
  let broker: RunningBroker | null = null;
  hooks.before(async () => {
    broker = await startBroker(opts);
  });
  hooks.after(async () => {
    await broker?.close();
  });
  const running = (): RunningBroker => {
    if (!broker) throw new Error('the broker starts in the before hook: use it in a test');
    return broker;
  };
  return {
    get broker() {
      return running();
    },
    get bootstrap() {
      return running().bootstrap;
    },
  };
}
