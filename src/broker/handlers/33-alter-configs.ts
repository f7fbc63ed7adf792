import { defineApi } from '../api.js';
import { applyConfigs, configAccessError, type ConfigServices } from '../config-resources.js';

/** AlterConfigs replaces a resource's whole override set with the one given. */
export default defineApi(33, async (services: ConfigServices, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const responses = [];
  for (const r of req.resources) {
    const denied = configAccessError(access, r.resourceType, r.resourceName, true);
    if (denied) {
      responses.push({ resourceType: r.resourceType, resourceName: r.resourceName, ...denied });
      continue;
    }
    const next: Record<string, string> = {};
    for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
    responses.push({ resourceType: r.resourceType, resourceName: r.resourceName, ...await applyConfigs(services, r.resourceType, r.resourceName, next, req.validateOnly) });
  }
  return { throttleTimeMs: 0, responses };
});
