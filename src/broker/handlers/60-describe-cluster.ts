import { ErrorCode } from '../../protocol/errors.js';
import { describeClusterRequest, describeClusterResponse, type DescribeClusterRequest, type DescribeClusterResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { CLUSTER_OPERATIONS } from './03-metadata.js';

/** endpointType 1 = brokers; 2 = controllers (KIP-919), which a broker does not list. */
export default defineApi<DescribeClusterRequest, DescribeClusterResponse>({ request: describeClusterRequest, response: describeClusterResponse }, (broker, req) => {
  if (req.endpointType !== 1) {
    return { errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'The broker does not answer for controllers', endpointType: req.endpointType, clusterId: broker.metadata.clusterId, controllerId: -1, brokers: [] };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: 1,
    clusterId: broker.metadata.clusterId,
    controllerId: broker.controllerId,
    brokers: broker.liveBrokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : -2147483648,
  };
});
