import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(8, async (services: Services<'groups' | 'metadata' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const answer = (code: (n: number) => number) => ({
    throttleTimeMs: 0,
    topics: req.topics.map((t, n) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code(n) })) })),
  });
  if (!access.group(AclOperation.READ, req.groupId)) return answer(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // v10 names topics by id: an id no topic has answers UNKNOWN_TOPIC_ID for each of its partitions, as Kafka's does.
  const names = req.topics.map((t) => (ctx.version >= 10 ? services.metadata.topicsById.get(t.topicId)?.name : t.name));
  // Committing for a topic takes READ on it.
  const refused = names.map((name) => name !== undefined && !access.topic(AclOperation.READ, name));
  const entries = req.topics.flatMap((t, i) => (names[i] === undefined || refused[i] ? [] : t.partitions.map((p) => ({
    topic: names[i]!, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata,
  }))));
  // v0 commits carry no generation: they are simple (group-less) commits.
  const generation = ctx.version >= 1 ? req.generationIdOrMemberEpoch : -1;
  const codes = await services.groups.manager.commitOffsets(req.groupId, generation, req.memberId, req.groupInstanceId, entries, ctx.version);
  let i = 0;
  return answer((n) => (names[n] === undefined ? ErrorCode.UNKNOWN_TOPIC_ID : refused[n] ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : codes[i++]!));
});
