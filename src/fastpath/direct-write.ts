// Answers written to the socket's file descriptor at once, past Node's stream.
import fs from 'node:fs';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/**
 * Writes what the socket takes at once with one writev(2), when nothing is queued ahead
 * in the stream; returns what is left for the stream (empty when all went), or null when
 * the connection failed (EPIPE, ECONNRESET: the caller closes it). Node's stream path
 * costs a write request, a callback and a tick per response, which a broker whose code is
 * not yet optimised (a test suite's) pays on every answer; here the kernel has the bytes
 * when this returns, so what they came from can be released at once.
 */
export function writeDirect(socket: Socket, chunks: Buffer[]): Buffer[] | null {
  // TLS encrypts in the stream: its bytes must never go to the descriptor as they are.
  if (socket instanceof TLSSocket) return chunks;
  const fd = (socket as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0 || socket.writableLength > 0) return chunks;
  let n: number;
  try {
    n = fs.writevSync(fd, chunks);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return chunks;
    return null;
  }
  let i = 0;
  while (i < chunks.length && n >= chunks[i]!.length) n -= chunks[i++]!.length;
  if (i === chunks.length) return [];
  const rest = chunks.slice(i);
  rest[0] = rest[0]!.subarray(n);
  return rest;
}
