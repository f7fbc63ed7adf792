// What a handler is: one API key, the versions it serves, and decode → act → encode's
// middle step. Framing, headers, ordering and encoding live in net/connection.ts.
import { apiSchemas, type ApiKey, type ApiSchemas, type RequestOf, type ResponseOf } from '../protocol/messages/index.js';
import type { RequestHeader } from './net/request-header.js';
import type { BrokerServices } from './services.js';
import type { SaslSession } from './security/sasl-session.js';
import { ERROR_MESSAGES, ErrorCode } from '../protocol/errors.js';
import type { AclOperationCode } from './security/acl.js';
import { errorResponse } from './request-slots.js';
import { splitAddress } from './net/address.js';

export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  /** The name of the listener the client came in on: Metadata and FindCoordinator answer with the brokers' addresses on it. */
  readonly listener: string;
  /** The listener's security protocol (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL). */
  readonly securityProtocol: string;
  /** This end's address, `ip:port`. */
  readonly localAddress: string;
  /** The connection's SASL exchange and its principal, on a SASL listener; null on a PLAINTEXT one. */
  readonly sasl: SaslSession | null;
  /** Kafka's principal name: the SASL user, else the client certificate's subject, else ANONYMOUS. */
  readonly principal: string;
  /** Closes the connection once its answers so far are sent, after `delayMs` (a failed authentication). */
  closeAfterAnswers(delayMs: number): void;
  /** The client's software as its ApiVersions (v3+, KIP-511) named it; null until then. */
  readonly clientSoftware: { name: string; version: string } | null;
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

/**
 * The handler of API key `K`. `Api` alone is any handler: the connection decodes with its
 * request schema, hands the request to its own `handle` and encodes the answer with its
 * response schema, so a request and its answer never leave their key's types.
 */
export interface Api<K extends ApiKey = ApiKey> {
  readonly apiKey: K;
  readonly schemas: ApiSchemas<K>;
  readonly minVersion: number;
  readonly maxVersion: number;
  handle(services: BrokerServices, req: RequestOf<K>, ctx: RequestContext): HandlerResult<ResponseOf<K>> | Promise<HandlerResult<ResponseOf<K>>>;
}

/**
 * Kafka's message when its authorizeClusterOperation refuses a request: the request as
 * RequestChannel.Request prints itself (a processor number and connection index of this broker's own).
 */
export function notAuthorized(c: ConnectionInfo): string {
  const local = splitAddress(c.localAddress);
  const remote = splitAddress(c.remoteAddress);
  const connectionId = `${local.ip}:${local.port}-${remote.ip}:${remote.port}-${c.id}`;
  return `Request Request(processor=0, connectionId=${connectionId}, session=Session(User:${c.principal},/${remote.ip}), listenerName=ListenerName(${c.listener}), securityProtocol=${c.securityProtocol}, buffer=null, envelope=None) is not authorized.`;
}

/**
 * Declares the handler of `apiKey` for every version its schema lists, unless narrowed.
 * The handler's first parameter names the services it uses (`Services<'groups'>`).
 * `clusterOperation` is what the whole request needs on the CLUSTER resource: without it
 * the request is answered CLUSTER_AUTHORIZATION_FAILED in every slot, and the handler is
 * not called. The message is Kafka's: `authorizeClusterOperation` names the request
 * (notAuthorized), as Kafka's handlers that call it do; otherwise the error's own.
 */
export function defineApi<K extends ApiKey>(
  apiKey: K,
  handle: (services: BrokerServices, req: RequestOf<K>, ctx: RequestContext) => HandlerResult<ResponseOf<K>> | Promise<HandlerResult<ResponseOf<K>>>,
  options?: { min?: number; max?: number; clusterOperation?: AclOperationCode; authorizeClusterOperation?: boolean },
): Api<K> {
  const schemas: ApiSchemas<K> = apiSchemas[apiKey];
  const op = options?.clusterOperation;
  const message = (ctx: RequestContext) => (options?.authorizeClusterOperation ? notAuthorized(ctx.connection) : ERROR_MESSAGES[ErrorCode.CLUSTER_AUTHORIZATION_FAILED]!);
  return {
    apiKey,
    schemas,
    minVersion: options?.min ?? schemas.request.validVersions[0],
    maxVersion: options?.max ?? schemas.request.validVersions[1],
    handle: op === undefined ? handle : (services, req, ctx) => services.authorizer.access(ctx.connection).cluster(op)
      ? handle(services, req, ctx)
      : errorResponse(schemas.request, schemas.response, ctx.version, req, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, message(ctx)) as ResponseOf<K>,
  };
}
