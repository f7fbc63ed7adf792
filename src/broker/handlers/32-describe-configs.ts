import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { brokerResourceError, configAccessError, describeBrokerConfigs, describeClientMetricsConfigs, describeGroupConfigs, describeTopicConfigs, ResourceType, type ConfigServices } from '../config-resources.js';

export { describeTopicConfigs };

export default defineApi(32, (services: ConfigServices, req, ctx) => ({
  throttleTimeMs: 0,
  results: req.resources.map((r) => {
    const base = { resourceType: r.resourceType, resourceName: r.resourceName, errorCode: ErrorCode.NONE, errorMessage: null, configs: [] };
    const denied = configAccessError(services.authorizer.access(ctx.connection), r.resourceType, r.resourceName, false);
    if (denied) return { ...base, ...denied };
    if (r.resourceType === ResourceType.TOPIC) {
      const t = services.metadata.topics.get(r.resourceName);
      if (!t) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist.` };
      return { ...base, configs: describeTopicConfigs(services, t, r.configurationKeys, req.includeSynonyms) };
    }
    if (r.resourceType === ResourceType.BROKER) {
      const e = brokerResourceError(services, r.resourceName);
      if (e) return { ...base, ...e };
      return { ...base, configs: describeBrokerConfigs(services, r.configurationKeys, req.includeSynonyms) };
    }
    if (r.resourceType === ResourceType.CLIENT_METRICS || r.resourceType === ResourceType.GROUP) {
      const described = r.resourceType === ResourceType.GROUP ? describeGroupConfigs(services, r.resourceName, r.configurationKeys) : describeClientMetricsConfigs(services, r.resourceName, r.configurationKeys);
      return Array.isArray(described) ? { ...base, configs: described } : { ...base, ...described };
    }
    if (r.resourceType === ResourceType.BROKER_LOGGER) {
      const e = brokerResourceError(services, r.resourceName);
      if (e) return { ...base, ...e };
      return base;
    }
    return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${r.resourceType}` };
  }),
}));
