// Sockets whose reads land straight in request frames (Node's `onread` option), so the
// produce path neither joins 64 KiB chunks into frames nor allocates a buffer per read.
import net from 'node:net';
import tls, { TLSSocket } from 'node:tls';

/** What reads land in: the request framing (net/frame-reader.ts), which hands out the buffer to read into and returns the frames a read completed. */
export interface FrameSink {
  readInto(): Buffer;
  onRead(n: number, into: Buffer): Buffer[];
  push(chunk: Buffer): Buffer[];
}

export type OnFrames = (frames: Buffer[]) => void;

/** Hands on the frames `read` completes, or its error (a frame over the limit); false on error. */
function deliver(read: () => Buffer[], onFrames: OnFrames, onError: (e: Error) => void): boolean {
  let frames: Buffer[];
  try {
    frames = read();
  } catch (e) {
    onError(e as Error);
    return false;
  }
  if (frames.length > 0) onFrames(frames);
  return true;
}

function onread(reader: FrameSink, onFrames: OnFrames, onError: (e: Error) => void): net.OnReadOpts {
  return {
    buffer: () => reader.readInto(),
    callback: (n: number, into: Uint8Array) => deliver(() => reader.onRead(n, into as Buffer), onFrames, onError),
  };
}

/**
 * Connects a client socket that reads frames through `reader`; with `tlsOptions`, a TLS
 * socket (it emits 'secureConnect' once its handshake is done) whose plaintext is pushed in.
 */
export function connectFrameSocket(host: string, port: number, reader: FrameSink, onFrames: OnFrames, onError: (e: Error) => void, tlsOptions: tls.ConnectionOptions | null = null): net.Socket {
  if (!tlsOptions) return net.connect({ host, port, onread: onread(reader, onFrames, onError) });
  const s = tls.connect({ ...tlsOptions, host, port });
  s.on('data', (chunk: Buffer) => deliver(() => reader.push(chunk), onFrames, onError));
  return s;
}

/**
 * Takes over an accepted connection (from a server created with `pauseOnConnect`, so
 * nothing has been read yet) as a socket that reads frames through `reader`. Node offers
 * `onread` only to sockets it constructs, so the accepted socket's handle moves to a new
 * one; where that is not possible the accepted socket's 'data' events are used instead.
 */
export function adoptFrameSocket(accepted: net.Socket, reader: FrameSink, onFrames: OnFrames, onError: (e: Error) => void): net.Socket {
  const holder = accepted as unknown as { _handle?: object | null };
  const handle = holder._handle;
  // A TLS socket's handle decrypts: it stays with its socket, whose 'data' is the plaintext.
  if (!(accepted instanceof TLSSocket) && handle && typeof (handle as { useUserBuffer?: unknown }).useUserBuffer === 'function') {
    holder._handle = null;
    // Without its handle this only settles the server's connection count.
    accepted.destroy();
    return new net.Socket({ handle, readable: true, writable: true, onread: onread(reader, onFrames, onError) } as net.SocketConstructorOpts);
  }
  accepted.on('data', (chunk: Buffer) => deliver(() => reader.push(chunk), onFrames, onError));
  accepted.resume();
  return accepted;
}
