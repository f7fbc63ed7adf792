// Shared test plumbing: in-process brokers on free ports and quiet kafkajs clients.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type RunningBroker, type StartBrokerOptions } from '../src/index.js';

/** The repository root (tests run from dist/test). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function withBroker<T>(opts: StartBrokerOptions, fn: (b: RunningBroker) => Promise<T>): Promise<T> {
  const b = await startBroker(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

export function kafka(bootstrap: string, clientId = 'krill-test'): Kafka {
  return new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` is true or fails after `ms`. */
export async function eventually(fn: () => boolean | Promise<boolean>, ms = 15000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
