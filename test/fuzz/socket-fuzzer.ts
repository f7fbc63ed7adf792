// A socket-level fuzzer: request frames generated from the protocol schemas for every
// served API and version (record batches among them, compressed or not), then mutated
// (bit flips, length and count lies, cut and padded frames, foreign headers), thrown at a
// broker in its own process over several connections. After every batch of frames the
// broker must still answer ApiVersions on a new connection, keep its resident memory and
// its partition count bounded, and at the end restart from its log directory and serve.
// Every run has a seed; the same seed throws the same frames.
//
//   node dist/test/fuzz/socket-fuzzer.js [--frames N] [--seed S] [--batch N]   (make fuzz)
// With KRILL_FUZZ_KEEP=1 a broker that stops answering is left running for ten minutes,
// its pid printed, to be looked at (perf, strace) before it is killed.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allApis } from '../../src/broker/handlers/index.js';
import { encodeRequest } from '../../src/broker/net/broker-client.js';
import { apiSchemas } from '../../src/protocol/messages/index.js';
import { Compression } from '../../src/protocol/records/batch.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { type FieldSchema, inRange } from '../../src/protocol/schema.js';
import { type BrokerProcess, startBrokerProcess } from '../support/broker-process.js';
import { RawClient } from '../support/raw-client.js';

/** mulberry32: small, fast and the same everywhere, so a seed replays a run. */
export class Rng {
  constructor(private state: number) {}
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Integers a broker must survive: the edges of every width, small counts and indexes. */
const EDGES = [0, 1, -1, 2, 3, 7, 100, 127, 128, 255, 32767, -32768, 65535, 2 ** 31 - 1, -(2 ** 31), 2 ** 32 - 1, 2 ** 53, -(2 ** 53)];
const NAMES = ['fz', 'fz-a', 'fz-b', '__consumer_offsets', '', '.', '..', 'a'.repeat(250), 'x y', 'grp'];

function intFor(rng: Rng, type: string): number {
  const [min, max] = ({ int8: [-128, 127], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] } as Record<string, [number, number]>)[type] ?? [-(2 ** 53), 2 ** 53];
  const v = rng.chance(0.6) ? rng.int(8) : rng.pick(EDGES);
  return Math.min(max, Math.max(min, v));
}

async function recordsValue(rng: Rng): Promise<Buffer> {
  if (rng.chance(0.2)) return Buffer.from(Array.from({ length: rng.int(80) }, () => rng.int(256)));
  const records = Array.from({ length: 1 + rng.int(4) }, (_, i) => ({ key: rng.chance(0.5) ? `k${i}` : null, value: Buffer.alloc(rng.int(200), i) }));
  const idempotent = rng.chance(0.3);
  return encodeBatch({
    records,
    compression: rng.pick(Object.values(Compression)),
    ...(idempotent ? { producerId: rng.int(5), producerEpoch: rng.int(2), baseSequence: rng.int(10) } : {}),
  });
}

async function valueOf(rng: Rng, f: FieldSchema, version: number): Promise<unknown> {
  if (inRange(version, f.nullableVersions) && rng.chance(0.1)) return null;
  if (f.array) {
    const n = rng.chance(0.9) ? rng.int(3) : rng.int(20);
    const out = [];
    for (let i = 0; i < n; i++) out.push(await one(rng, f, version));
    return out;
  }
  return one(rng, f, version);
}

async function one(rng: Rng, f: FieldSchema, version: number): Promise<unknown> {
  switch (f.type) {
    case 'bool': return rng.chance(0.5);
    case 'string': return rng.pick(NAMES);
    case 'uuid': return rng.chance(0.8) ? '0'.repeat(32) : Array.from({ length: 32 }, () => rng.int(16).toString(16)).join('');
    case 'bytes': return Buffer.alloc(rng.int(40), rng.int(256));
    case 'records': return recordsValue(rng);
    case 'float64': return rng.next();
    case 'struct': return structOf(rng, f.fields ?? [], version);
    default: return intFor(rng, f.type);
  }
}

async function structOf(rng: Rng, fields: readonly FieldSchema[], version: number): Promise<Record<string, unknown>> {
  const o: Record<string, unknown> = {};
  for (const f of fields) if (inRange(version, f.versions)) o[f.name] = await valueOf(rng, f, version);
  return o;
}

/** One request frame of a served API at a served version, valid as generated. */
export async function validFrame(rng: Rng, correlationId: number): Promise<Buffer> {
  const api = rng.pick(allApis);
  const version = api.minVersion + rng.int(api.maxVersion - api.minVersion + 1);
  const body = await structOf(rng, apiSchemas[api.apiKey].request.fields, version);
  return encodeRequest(api.apiKey, version, correlationId, rng.pick(['fuzz', '', 'x'.repeat(300)]), body);
}

/** The frame, changed as a hostile or broken client would change it. */
export function mutate(rng: Rng, frame: Buffer): Buffer {
  const f = Buffer.from(frame);
  const fixSize = (b: Buffer) => {
    b.writeInt32BE(b.length - 4, 0);
    return b;
  };
  switch (rng.int(8)) {
    case 0: return f;
    case 1: {
      for (let i = rng.int(8) + 1; i > 0; i--) {
        const at = 4 + rng.int(Math.max(1, f.length - 4));
        if (at < f.length) f[at]! ^= 1 << rng.int(8);
      }
      return f;
    }
    case 2: {
      // A count, length or size lie somewhere in the body.
      const at = 4 + rng.int(Math.max(1, f.length - 8));
      if (at + 4 <= f.length) f.writeInt32BE(rng.pick([0x7fffffff, -1, -2, 0x10000000, 1 << 20, 65535]), at);
      return f;
    }
    case 3: return fixSize(f.subarray(0, 4 + rng.int(Math.max(1, f.length - 4))));
    case 4: return fixSize(Buffer.concat([f, Buffer.from(Array.from({ length: 1 + rng.int(64) }, () => rng.int(256)))]));
    case 5: {
      // A header naming another API or a version nobody serves.
      if (f.length >= 8) {
        f.writeInt16BE(rng.chance(0.5) ? rng.int(100) : rng.pick([-1, 32767, 18]), 4);
        f.writeInt16BE(rng.pick([-1, 0, 3, 99, 32767]), 6);
      }
      return f;
    }
    case 6: {
      // Varints of the flexible versions stretched: a run of continuation bytes.
      const at = 8 + rng.int(Math.max(1, f.length - 8));
      for (let i = at; i < Math.min(f.length, at + 6); i++) f[i] = 0xff;
      return f;
    }
    default: {
      // A size prefix that lies: more than follows (the broker waits), or absurd.
      f.writeInt32BE(rng.pick([f.length + 100, -5, 0, 0x7fffffff, 200 << 20]), 0);
      return f;
    }
  }
}

/** A broker in its own process over a log directory, as `bin/krill start` runs it; `log()` is the tail of what it logged. */
async function startBroker(dataDir: string): Promise<BrokerProcess & { log: () => string }> {
  let tail = '';
  const b = await startBrokerProcess(['--port', '0', '--data-dir', dataDir, '--set', 'num.partitions=2', '--set', 'log.segment.delete.delay.ms=0'], (chunk) => {
    tail = (tail + chunk).slice(-3000);
  });
  return { ...b, log: () => tail };
}

/** ApiVersions on a new connection: the broker is alive and answering. */
async function answersApiVersions(port: number, timeoutMs = 10_000): Promise<boolean> {
  let c: RawClient | null = null;
  try {
    c = await RawClient.connect(port);
    return (await c.request(18, 0, {}, timeoutMs)).errorCode === 0;
  } catch {
    return false;
  } finally {
    c?.close();
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** The partitions the broker's log directory holds: a bound on what the fuzz created. */
const partitionDirs = (dir: string) => fs.readdirSync(dir).filter((d) => /-\d+$/.test(d)).length;

export interface FuzzResult {
  frames: number;
  seconds: number;
  peakRssMiB: number;
  partitions: number;
}

export interface FuzzOptions {
  frames: number;
  seed: number;
  /** Frames between health checks. */
  batch?: number;
  connections?: number;
  /** Resident memory the broker may not exceed. */
  maxRssMiB?: number;
  log?: (line: string) => void;
}

/** Runs the fuzz; throws (with the seed and the batch in the message) at the first failed check. */
export async function fuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const { frames, seed, batch = 500, connections = 8, maxRssMiB = 1024, log = () => undefined } = opts;
  const rng = new Rng(seed);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'krill-fuzz-'));
  let broker = await startBroker(dataDir);
  const t0 = performance.now();
  let peak = 0;
  let sent = 0;
  /** The frames of the batch under way, written out when it fails, to replay alone. */
  let batchFrames: Buffer[] = [];
  const fail = (what: string, at: number) => {
    const dump = fs.mkdtempSync(path.join(os.tmpdir(), `krill-fuzz-${seed}-`));
    batchFrames.forEach((f, i) => fs.writeFileSync(path.join(dump, `${String(i).padStart(4, '0')}.bin`), f));
    return new Error(`fuzz failed (seed ${seed}, frames ${at - batch}..${at}): ${what}\nthe batch's frames are in ${dump}\nthe broker's last log lines:\n${broker.log()}`);
  };
  try {
    const sockets: net.Socket[] = [];
    const socket = (i: number) => {
      const s = sockets[i];
      if (s && !s.destroyed) return s;
      const fresh = net.connect(broker.port, '127.0.0.1');
      fresh.on('error', () => fresh.destroy());
      fresh.on('data', () => undefined);
      sockets[i] = fresh;
      return fresh;
    };
    while (sent < frames) {
      const n = Math.min(batch, frames - sent);
      const oneOffs: Array<Promise<void>> = [];
      batchFrames = [];
      for (let i = 0; i < n; i++) {
        const valid = await validFrame(rng, sent + i);
        const frame = mutate(rng, valid);
        batchFrames.push(frame);
        if (frame.equals(valid)) {
          // Valid requests share a few long-lived connections, as clients' do.
          const s = socket(rng.int(connections));
          s.write(frame);
          // A connection dropped mid-conversation now and then.
          if (rng.chance(0.01)) s.destroy();
        } else {
          // A broken frame gets a connection of its own: the broker may close it, and the
          // frames after it would never be read.
          oneOffs.push(new Promise((resolve) => {
            const s = net.connect(broker.port, '127.0.0.1', () => s.end(frame));
            s.on('error', () => s.destroy());
            s.on('data', () => undefined);
            s.on('close', () => resolve());
            // A size prefix that promises more than it sends is not waited out here.
            setTimeout(() => s.destroy(), 2000).unref();
          }));
        }
      }
      sent += n;
      await Promise.all(oneOffs);
      if (broker.proc.exitCode !== null) throw fail(`the broker exited with ${broker.proc.exitCode}`, sent);
      if (!await answersApiVersions(broker.port)) {
        // Under `--report-on-signal` (NODE_OPTIONS) the stuck broker writes where it is.
        const pid = broker.proc.pid!;
        const state = (() => {
          try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
            return `process state ${stat[0]}, cpu ${stat[11]}+${stat[12]} ticks, ${fs.readdirSync(`/proc/${pid}/fd`).length} descriptors`;
          } catch {
            return 'process gone';
          }
        })();
        if (process.env.KRILL_FUZZ_KEEP) {
          console.error(`broker pid ${pid} left running: ${state}`);
          await new Promise((r) => setTimeout(r, 600_000));
        }
        throw fail(`the broker stopped answering ApiVersions (${state})`, sent);
      }
      const rss = rssMiB(broker.proc.pid!);
      peak = Math.max(peak, rss);
      if (rss > maxRssMiB) throw fail(`resident memory ${rss.toFixed(0)} MiB over ${maxRssMiB}`, sent);
      if (sent % (batch * 20) === 0) log(`${sent} frames, ${((performance.now() - t0) / 1000).toFixed(0)} s, RSS ${rss.toFixed(0)} MiB, ${partitionDirs(dataDir)} partitions`);
    }
    for (const s of sockets) s?.destroy();
    const partitions = partitionDirs(dataDir);
    // The log directory the fuzz left recovers: a broker killed now starts again from it and serves.
    broker.proc.kill('SIGKILL');
    await new Promise((r) => broker.proc.once('exit', r));
    broker = await startBroker(dataDir);
    if (!await answersApiVersions(broker.port)) throw fail('the broker restarted over the fuzzed log directory does not answer', sent);
    return { frames: sent, seconds: (performance.now() - t0) / 1000, peakRssMiB: peak, partitions };
  } finally {
    broker.proc.kill('SIGKILL');
    await new Promise((r) => (broker.proc.exitCode !== null ? r(null) : broker.proc.once('exit', r)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const seed = arg('--seed', Math.floor(Math.random() * 2 ** 31));
  const frames = arg('--frames', 1_000_000);
  console.log(`socket fuzz: ${frames} frames, seed ${seed}`);
  fuzz({ frames, seed, batch: arg('--batch', 1000), log: (l) => console.log(l) }).then(
    (r) => console.log(`ok: ${r.frames} frames in ${r.seconds.toFixed(0)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, ${r.partitions} partitions created; restart over the log directory served`),
    (e: Error) => {
      console.error(e.message);
      process.exit(1);
    },
  );
}
