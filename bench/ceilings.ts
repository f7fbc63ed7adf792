// The machine's limits, measured with trivial programs: loopback TCP (iperf3), sequential
// file writes with and without fsync, and the Node ceilings a broker cannot beat: a
// server that only appends socket data to a file, and one that only streams a file to a
// socket. Each runs in its own process so client and server use separate cores.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FrameReader } from '../src/broker/net/frame-reader.js';

const MB = 1 << 20;

export function iperf3(): number | null {
  try {
    const server = spawn('iperf3', ['-s', '-1', '-B', '127.0.0.1'], { stdio: 'ignore' });
    execFileSync('sleep', ['0.5']);
    const out = execFileSync('iperf3', ['-c', '127.0.0.1', '-t', '3', '-J'], { encoding: 'utf8' });
    server.kill();
    const j = JSON.parse(out) as { end: { sum_received: { bits_per_second: number } } };
    return j.end.sum_received.bits_per_second / 8 / MB;
  } catch {
    return null;
  }
}

/** Sequential write of `bytes` in 1 MiB writes; MB/s without and with a final fdatasync. */
export function diskWrite(dir: string, bytes: number): { noFsync: number; fsync: number } {
  const file = path.join(dir, 'ceiling-write.bin');
  const buf = Buffer.alloc(MB, 7);
  const fd = fs.openSync(file, 'w');
  const t0 = performance.now();
  for (let off = 0; off < bytes; off += MB) fs.writeSync(fd, buf, 0, MB, off);
  const t1 = performance.now();
  fs.fdatasyncSync(fd);
  const t2 = performance.now();
  fs.closeSync(fd);
  fs.rmSync(file);
  const mb = bytes / MB;
  return { noFsync: mb / ((t1 - t0) / 1000), fsync: mb / ((t2 - t0) / 1000) };
}

/** Runs the sink/source half of a ceiling in a child process (this file with a role argument). */
function child(role: string, ...args: string[]): Promise<{ port: number; proc: ReturnType<typeof spawn> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, role, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    proc.stdout!.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), proc }));
    proc.once('error', reject);
  });
}

/** MB/s a bare Node server reaches appending everything a socket sends to a file. */
export async function nodeSocketToFile(dir: string, bytes: number): Promise<number> {
  const { port, proc } = await child('--sink', path.join(dir, 'ceiling-sink.bin'));
  const buf = Buffer.alloc(MB, 1);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += MB;
          if (!s.write(buf)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('data', () => undefined);
    s.on('close', () => resolve());
  });
  const ms = performance.now() - t0;
  proc.kill();
  fs.rmSync(path.join(dir, 'ceiling-sink.bin'), { force: true });
  return bytes / MB / (ms / 1000);
}

/** MB/s a bare Node server reaches reading a file in 1 MiB chunks and writing it to a socket. */
export async function nodeFileToSocket(dir: string, bytes: number): Promise<number> {
  const file = path.join(dir, 'ceiling-source.bin');
  const buf = Buffer.alloc(MB, 2);
  const fd = fs.openSync(file, 'w');
  for (let off = 0; off < bytes; off += MB) fs.writeSync(fd, buf, 0, MB, off);
  fs.closeSync(fd);
  fs.readFileSync(file).length; // warm the page cache: the broker serves fetches from it too
  const { port, proc } = await child('--source', file);
  const t0 = performance.now();
  let got = 0;
  await new Promise<void>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('data', (d: Buffer) => void (got += d.length));
    s.on('close', () => resolve());
  });
  const ms = performance.now() - t0;
  proc.kill();
  fs.rmSync(file, { force: true });
  return got / MB / (ms / 1000);
}

/**
 * A Node server that answers Kafka requests it has seen before with the answer it got the
 * first time, without decoding, handling or encoding anything: the floor for a broker in
 * Node on a workload of repeated requests (the consume window's fresh connection per run).
 * Requests it has not seen go to `upstream` (a Krill), whose answer it keeps. Keyed by API
 * key, version and the request after its client id; only the correlation id is rewritten.
 */
export async function startReplayServer(upstream: string): Promise<{ bootstrap: string; stop: () => void }> {
  const { port, proc } = await child('--replay', upstream);
  return { bootstrap: `127.0.0.1:${port}`, stop: () => void proc.kill() };
}

/** Calls `onFrame` with the body (after its size) of every whole frame read from `s`. */
function onFrames(s: net.Socket, onFrame: (body: Buffer) => void): void {
  const reader = new FrameReader(Number.MAX_SAFE_INTEGER);
  s.on('data', (d: Buffer) => {
    for (const body of reader.push(d)) onFrame(body);
  });
}

/** Writes an answer's `body` as one frame: its size, then the body with `correlationId` (its first field) in place of its own. */
function writeAnswer(s: net.Socket, body: Buffer, correlationId: number): void {
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length, 0);
  head.writeInt32BE(correlationId, 4);
  s.cork();
  s.write(head);
  s.write(body.subarray(4));
  s.uncork();
}

function replay(upstream: string): net.Server {
  const answers = new Map<string, Buffer>();
  const [host, port] = upstream.split(':');
  // api key, version, correlation id, client id length: the key is what follows.
  const keyOf = (b: Buffer) => `${b.readInt16BE(0)}:${b.readInt16BE(2)}:${b.subarray(10 + Math.max(b.readInt16BE(8), 0)).toString('hex')}`;
  return net.createServer((s) => {
    s.setNoDelay(true);
    let up: net.Socket | null = null;
    const waiting: Array<{ key: string; correlationId: number }> = [];
    onFrames(s, (body) => {
      const key = keyOf(body);
      const correlationId = body.readInt32BE(4);
      const known = answers.get(key);
      // In order: a known answer waits behind any request still at the upstream.
      if (known && waiting.length === 0) return writeAnswer(s, known, correlationId);
      if (!up) {
        up = net.connect(Number(port), host!);
        up.setNoDelay(true);
        up.on('error', () => s.destroy());
        s.on('close', () => up!.destroy());
        onFrames(up, (answer) => {
          const w = waiting.shift()!;
          if (!answers.has(w.key)) answers.set(w.key, Buffer.from(answer));
          writeAnswer(s, answer, w.correlationId);
        });
      }
      waiting.push({ key, correlationId });
      const size = Buffer.alloc(4);
      size.writeInt32BE(body.length);
      up.cork();
      up.write(size);
      up.write(body);
      up.uncork();
    });
    s.on('error', () => s.destroy());
  });
}

// ---- child roles ----
const [role, arg] = process.argv.slice(2);
if (role === '--sink') {
  const fd = fs.openSync(arg!, 'w');
  let pos = 0;
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      fs.writeSync(fd, d, 0, d.length, pos);
      pos += d.length;
    });
    s.on('end', () => s.end());
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
} else if (role === '--source') {
  const server = net.createServer((s) => {
    const fd = fs.openSync(arg!, 'r');
    let pos = 0;
    const pump = () => {
      for (;;) {
        const b = Buffer.allocUnsafe(MB);
        const n = fs.readSync(fd, b, 0, MB, pos);
        if (n === 0) return void s.end();
        pos += n;
        if (!s.write(b.subarray(0, n))) return void s.once('drain', pump);
      }
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
} else if (role === '--replay') {
  const server = replay(arg!);
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`));
}
