import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(14, async (services: Services<'groups'>, req) => {
  const r = await services.groups.sync(req);
  return { throttleTimeMs: 0, ...r };
});
