import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { ResourceType } from '../config-resources.js';
import type { Services } from '../services.js';

/**
 * v0 (ListClientMetricsResources): the client metrics subscriptions. v1 (KIP-1142): the
 * config resources of the types asked for, all this broker has configs for when none are
 * named: topics, this broker, its logger, client metrics subscriptions and groups with
 * configs. A type it has
 * no resources of is INVALID_REQUEST, as Kafka answers a type it does not list.
 */
export default defineApi(74, (services: Services<'metadata' | 'brokerId'>, req, ctx) => {
  const metricsResources = () => [...services.metadata.clientMetrics.keys()].sort().map((resourceName) => ({ resourceName, resourceType: ResourceType.CLIENT_METRICS }));
  if (ctx.version === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources: metricsResources() };
  const byType: Record<number, () => Array<{ resourceName: string; resourceType: number }>> = {
    [ResourceType.TOPIC]: () => [...services.metadata.topics.keys()].sort().map((resourceName) => ({ resourceName, resourceType: ResourceType.TOPIC })),
    [ResourceType.BROKER]: () => [{ resourceName: String(services.brokerId), resourceType: ResourceType.BROKER }],
    [ResourceType.BROKER_LOGGER]: () => [{ resourceName: String(services.brokerId), resourceType: ResourceType.BROKER_LOGGER }],
    [ResourceType.CLIENT_METRICS]: metricsResources,
    [ResourceType.GROUP]: () => [...services.metadata.groupConfigs.keys()].sort().map((resourceName) => ({ resourceName, resourceType: ResourceType.GROUP })),
  };
  const types = req.resourceTypes.length > 0 ? req.resourceTypes : Object.keys(byType).map(Number);
  if (types.some((t) => !byType[t])) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, configResources: [] };
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, configResources: [...new Set(types)].flatMap((t) => byType[t]!()) };
}, { clusterOperation: AclOperation.DESCRIBE_CONFIGS });
