import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { clusterOperations } from './03-metadata.js';
import type { Services } from '../services.js';

/**
 * endpointType 1 = brokers; 2 = controllers (KIP-919), which a broker does not list. A
 * broker here is registered while its session lives and gone when it ends, so none is
 * ever fenced: v2's IncludeFencedBrokers (KIP-1073) adds no one.
 */
export default defineApi(60, (services: Services<'metadata' | 'authorizer'>, req, ctx) => {
  if (req.endpointType !== 1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'The broker does not answer for controllers', endpointType: req.endpointType, clusterId: services.metadata.clusterId, controllerId: -1, brokers: [] };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: 1,
    clusterId: services.metadata.clusterId,
    controllerId: services.metadata.controllerId,
    brokers: services.metadata.liveBrokersOn(ctx.connection.listener).map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack, isFenced: false })),
    clusterAuthorizedOperations: clusterOperations(req.includeClusterAuthorizedOperations, services.authorizer.access(ctx.connection)),
  };
});
