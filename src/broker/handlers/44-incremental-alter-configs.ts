import { ErrorCode } from '../../protocol/errors.js';
import type { IncrementalAlterConfigsRequest } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { applyConfigs, configAccessError, configType, currentOverrides, ResourceType, type ConfigServices } from '../config-resources.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

export default defineApi(44, async (services: ConfigServices, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const responses = [];
  // One resource after another: two changes to the same resource must not interleave.
  for (const r of req.resources) {
    const denied = configAccessError(access, r.resourceType, r.resourceName, true);
    responses.push(denied ? { resourceType: r.resourceType, resourceName: r.resourceName, ...denied } : await alterOne(services, r, req.validateOnly));
  }
  return { throttleTimeMs: 0, responses };
});

async function alterOne(services: ConfigServices, r: IncrementalAlterConfigsRequest['resources'][number], validateOnly: boolean) {
  const head = { resourceType: r.resourceType, resourceName: r.resourceName };
  if (r.resourceType === ResourceType.TOPIC && !services.metadata.topics.has(r.resourceName)) {
    return { ...head, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${r.resourceName} does not exist.` };
  }
  const next = currentOverrides(services, r.resourceType, r.resourceName);
  for (const c of r.configs) {
    const current = () => next[c.name] ?? (r.resourceType === ResourceType.TOPIC ? services.topicConfigs.get(services.metadata.topics.get(r.resourceName)!, c.name).value : services.config.get(c.name)) ?? '';
    const isList = r.resourceType !== ResourceType.BROKER && configType(r.resourceType, c.name) === 'LIST';
    switch (c.configOperation) {
      case SET:
        if (c.value === null) return { ...head, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Null value not supported for : ${c.name}` };
        next[c.name] = c.value;
        break;
      case DELETE:
        delete next[c.name];
        break;
      case APPEND:
      case SUBTRACT: {
        if (!isList) return { ...head, errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Config value append is not allowed for config key: ${c.name}` };
        const items = current().split(',').filter((x) => x.length > 0);
        const given = (c.value ?? '').split(',').filter((x) => x.length > 0);
        next[c.name] = (c.configOperation === APPEND ? [...items, ...given.filter((g) => !items.includes(g))] : items.filter((i) => !given.includes(i))).join(',');
        break;
      }
      default:
        return { ...head, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown operation ${c.configOperation}` };
    }
  }
  return { ...head, ...await applyConfigs(services, r.resourceType, r.resourceName, next, validateOnly) };
}
