// Shared test plumbing: in-process brokers and clusters on free ports, quiet kafkajs
// clients, polling, and reading a topic back whole.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import type { CoordinationStore } from '../../src/broker/controller/store.js';
import { removedWithWorker } from './children.js';
import { type RunningBroker, type RunningCluster, startBroker, startCluster, type StartBrokerOptions, type StartClusterOptions } from '../../src/index.js';

/** The repository root (tests run from dist/test). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export async function withBroker<T>(opts: StartBrokerOptions, fn: (b: RunningBroker) => Promise<T>): Promise<T> {
  const b = await startBroker(opts);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

/** A fresh directory under the temp directory, removed with everything in it when the test ends. */
export function tempDir(t: ExecutionContext, name: string): string {
  const dir = removedWithWorker(fs.mkdtempSync(path.join(os.tmpdir(), `krill-${name}-`)));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A coordination-store client that does what `inner` does, except what `over` replaces (fault injection). */
export function storeWith(inner: CoordinationStore, over: Partial<CoordinationStore>): CoordinationStore {
  return Object.assign(Object.create(inner) as CoordinationStore, over);
}

export function kafka(bootstrap: string, clientId = 'krill-test'): Kafka {
  return new Kafka({ clientId, brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 50 } });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until `fn` is true or fails after `ms`. An error thrown by `fn` counts as "not yet"
 * (a cluster test asks brokers that may be on their way down or up).
 */
export async function eventually(fn: () => boolean | Promise<boolean>, ms = 15000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      if (await fn()) return;
    } catch (e) {
      last = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}

/** An in-process cluster and a connected kafkajs admin, both closed when the test ends. */
export async function clusterWithAdmin(t: ExecutionContext, opts: StartClusterOptions = {}): Promise<{ c: RunningCluster; k: Kafka; admin: Admin }> {
  const c = await startCluster(opts);
  t.teardown(() => c.close());
  const k = kafka(c.bootstrap);
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  return { c, k, admin };
}

/** A connected kafkajs admin and producer, `topic` made with `partitions`; both disconnected when the test ends. */
export async function topicWithProducer(t: ExecutionContext, k: Kafka, topic: string, partitions: number): Promise<{ admin: Admin; producer: Producer }> {
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  return { admin, producer };
}

/** A topic's partitions from Metadata, in order; asked again while a just-stopped broker makes kafkajs fail. */
export async function partitionsOf(admin: Admin, topic: string) {
  let parts: Awaited<ReturnType<Admin['fetchTopicMetadata']>>['topics'][number]['partitions'] = [];
  await eventually(async () => {
    parts = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions;
    return true;
  }, 5000, `metadata of ${topic}`);
  return parts.sort((a, b) => a.partitionId - b.partitionId);
}

/** Reads `count` records of `topic` from the start with a fresh group: per partition, [offset, value] in order. */
export async function readEverything(bootstrap: string, topic: string, count: number, ms = 60_000): Promise<Map<number, Array<[number, string]>>> {
  const consumer = kafka(bootstrap).consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const read = new Map<number, Array<[number, string]>>();
  let n = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${n} of ${count}`)), ms);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (!read.has(partition)) read.set(partition, []);
          read.get(partition)!.push([Number(message.offset), message.value!.toString()]);
          if (++n >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}

/** Whether this process may mount a tmpfs (root on Linux: CI is). */
export const canMount = process.platform === 'linux' && process.getuid?.() === 0;

/**
 * A directory on a tmpfs of `bytes`, unmounted and removed after the test: a disk that
 * fills up. Only where canMount.
 */
export function smallDisk(t: ExecutionContext, bytes: number): { dir: string; resize(bytes: number): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krill-small-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { dir, resize: (n) => execFileSync('mount', ['-o', `remount,size=${n}`, dir]) };
}

/** A kafkajs consumer in `groupId` that has read `count` records of `topic` from the start; disconnected when the test ends. */
export async function groupThatRead(t: ExecutionContext, k: Kafka, groupId: string, topic: string, count: number): Promise<Consumer> {
  const consumer = k.consumer({ groupId, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  void consumer.run({ eachMessage: async () => { seen++; } });
  await eventually(() => seen >= count, 15_000, `${groupId} reading ${count} record(s) of ${topic}`);
  return consumer;
}
