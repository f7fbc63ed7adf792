// What a handler is: one API key, the versions it serves, and decode → act → encode's
// middle step. Framing, headers, ordering and encoding live in net/connection.ts.
import type { MessageSchema } from '../protocol/schema.js';
import type { RequestHeader } from './net/request-header.js';
import type { Broker } from './broker.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  /** True once the connection is closed: a waiting handler should stop waiting. */
  readonly isClosed: boolean;
  /**
   * Runs `fn` when the connection closes (releasing fetch sessions, waiters); at once if it
   * already is. Returns a function that forgets `fn`: a long-poll that ends by itself must
   * call it, or a long-lived consumer connection collects one closure per fetch.
   */
  onClose(fn: () => void): () => void;
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly version: number;
  readonly connection: ConnectionInfo;
  /**
   * Says that the handler is done with the request's bytes (a produce whose batches are in
   * the log, which holds any it kept: blocks.ts), so their memory may take the next large
   * request even while the response waits (acks=all). Safe to call twice; not calling it
   * is also safe.
   */
  releaseFrame(): void;
  /**
   * Hands the connection log reads the response carries (PartitionLog.read), so they are
   * released once the socket has taken the response, and not before: their memory is then
   * recycled.
   */
  releaseWhenSent(buffers: readonly Buffer[]): void;
}

/** Returned by a handler that must send nothing back (Produce with acks=0). */
export const NO_RESPONSE = Symbol('no response');

/** Returned by a handler whose client can only learn of an error by losing the connection (acks=0). */
export const CLOSE_CONNECTION = Symbol('close connection');

export type HandlerResult<Res> = Res | typeof NO_RESPONSE | typeof CLOSE_CONNECTION;

export interface Api<Req = never, Res = object> {
  readonly apiKey: number;
  readonly request: MessageSchema;
  readonly response: MessageSchema;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(broker: Broker, req: Req, ctx: RequestContext): HandlerResult<Res> | Promise<HandlerResult<Res>>;
}

/** Declares a handler for every version its schema lists, unless narrowed. */
export function defineApi<Req, Res extends object>(
  schemas: { request: MessageSchema; response: MessageSchema },
  handle: Api<Req, Res>['handle'],
  versions?: { min?: number; max?: number },
): Api<Req, Res> {
  return {
    apiKey: schemas.request.apiKey,
    request: schemas.request,
    response: schemas.response,
    minVersion: versions?.min ?? schemas.request.validVersions[0],
    maxVersion: versions?.max ?? schemas.request.validVersions[1],
    handle,
  };
}
