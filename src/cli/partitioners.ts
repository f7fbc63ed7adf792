// Where `krill produce` sends a record: Java's murmur2 of the key (the Java client's and
// kafkajs' default, librdkafka's murmur2_random), round-robin, random, or a function a
// module exports. A record with no key goes round-robin under murmur2, as in the Java client
// before its sticky partitioner.
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { CliError } from './client.js';

/** Kafka's murmur2 (Utils.murmur2), on 32-bit integers as Java computes it. */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4]! & 0xff) | ((data[i4 + 1]! & 0xff) << 8) | ((data[i4 + 2]! & 0xff) << 16) | ((data[i4 + 3]! & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // Java's switch falls from case 3 through 2 to 1.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Java's default partitioner gives a key. */
export const murmur2Partition = (key: Uint8Array, partitions: number): number => (murmur2(key) & 0x7fffffff) % partitions;

export type Partitioner = (key: Buffer | null, partitions: number) => number;

/** A partitioner by name, or loaded from a module whose default export is `(key, partitionCount) => partition`. */
export async function partitionerFor(spec: string): Promise<Partitioner> {
  let next = 0;
  const roundRobin = (_key: Buffer | null, partitions: number) => next++ % partitions;
  switch (spec) {
    case 'murmur2':
      return (key, partitions) => (key === null ? roundRobin(key, partitions) : murmur2Partition(key, partitions));
    case 'round-robin':
      return roundRobin;
    case 'random':
      return (_key, partitions) => Math.floor(Math.random() * partitions);
    default: {
      const mod = (await import(pathToFileURL(path.resolve(spec)).href).catch((e: Error) => {
        throw new CliError(`--partitioner: cannot load ${spec}: ${e.message}`, 2);
      })) as { default?: unknown };
      const fn = mod.default;
      if (typeof fn !== 'function') throw new CliError(`--partitioner: ${spec} has no default export function (key, partitionCount) => partition`, 2);
      return (key, partitions) => {
        const p = Number((fn as (k: Buffer | null, n: number) => unknown)(key, partitions));
        if (!Number.isInteger(p) || p < 0 || p >= partitions) throw new CliError(`--partitioner: ${spec} gave partition ${p} of ${partitions}`);
        return p;
      };
    }
  }
}
