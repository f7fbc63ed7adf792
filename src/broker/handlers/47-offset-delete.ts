import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(47, (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  // DELETE on the group, and READ on each topic whose offsets go.
  const access = services.authorizer.access(ctx.connection);
  if (!access.group(AclOperation.DELETE, req.groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
  const readable = req.topics.map((t) => access.topic(AclOperation.READ, t.name));
  const r = services.groups.manager.deleteOffsets(req.groupId, req.topics.filter((_, i) => readable[i]).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })));
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  let k = 0;
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t, i) => {
      const codes = readable[i] ? r.codes[k++]! : null;
      return { name: t.name, partitions: t.partitions.map((p, j) => ({ partitionIndex: p.partitionIndex, errorCode: codes ? codes[j]! : ErrorCode.TOPIC_AUTHORIZATION_FAILED })) };
    }),
  };
});
