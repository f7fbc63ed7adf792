// ElectLeaders (KIP-183 preferred, KIP-460 unclean): moves leadership as the controller
// would, by compare-and-set of each topic's state, so any broker can take the request.
// With no partitions named, every partition is considered and only those where something
// happened (or failed) are reported, as Kafka does.
import { ErrorCode } from '../../protocol/errors.js';
import type { ElectLeadersResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import type { PartitionState, TopicState } from '../controller/cluster-metadata.js';
import { electPreferred, electUnclean, type PreferredResult } from '../controller/election.js';

const PREFERRED = 0;
const UNCLEAN = 1;

type TopicOut = NonNullable<ElectLeadersResponse['replicaElectionResults']>[number];
type PartitionOut = NonNullable<TopicOut['partitionResult']>[number];

const MESSAGES: Record<string, string> = {
  ELECTION_NOT_NEEDED: 'Leader election not needed for topic partition.',
  PREFERRED_LEADER_NOT_AVAILABLE: 'Failed to elect leader for partition: the preferred leader is not alive or not in the ISR.',
  ELIGIBLE_LEADERS_NOT_AVAILABLE: 'Failed to elect leader for partition: no live replica to elect.',
};

async function electTopic(services: Services<'metadata'>, topic: string, wanted: number[] | null, type: number): Promise<PartitionOut[]> {
  const live = new Set(services.metadata.brokers.keys());
  const rule = (t: TopicState, p: PartitionState): PreferredResult => {
    const up = services.metadata.replicasUp(t, p.partition, live);
    return type === UNCLEAN ? electUnclean(p, up) : electPreferred(p, up);
  };
  let results: PartitionOut[] = [];
  const written = await services.metadata.updateTopic(topic, (t) => {
    results = [];
    let changed = false;
    const partitions = t.partitions.map((p) => {
      if (wanted && !wanted.includes(p.partition)) return p;
      const r = rule(t, p);
      if ('state' in r) {
        changed = true;
        results.push({ partitionId: p.partition, errorCode: ErrorCode.NONE, errorMessage: null });
        return r.state;
      }
      results.push({ partitionId: p.partition, errorCode: ErrorCode[r.error], errorMessage: MESSAGES[r.error]! });
      return p;
    });
    return changed ? { ...t, partitions } : null;
  });
  if (!written && !services.metadata.topics.has(topic)) results = [];
  const known = new Set(results.map((r) => r.partitionId));
  for (const p of wanted ?? []) {
    if (!known.has(p)) results.push({ partitionId: p, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The partition does not exist.' });
  }
  return results;
}

export default defineApi(43, async (services: Services<'metadata' | 'authorizer'>, req, ctx) => {
  // As Kafka: without ALTER on the cluster, the error at the top (v1+) and on every partition named.
  if (!services.authorizer.access(ctx.connection).cluster(AclOperation.ALTER)) {
    const refused = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null };
    return { throttleTimeMs: 0, ...refused, replicaElectionResults: (req.topicPartitions ?? []).map((t) => ({ topic: t.topic, partitionResult: t.partitions.map((partitionId) => ({ partitionId, ...refused })) })) };
  }
  const type = ctx.version >= 1 ? req.electionType : PREFERRED;
  if (type !== PREFERRED && type !== UNCLEAN) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REQUEST, replicaElectionResults: [] };
  const all = req.topicPartitions === null;
  const asked = req.topicPartitions ?? [...services.metadata.topics.keys()].map((topic) => ({ topic, partitions: null as number[] | null }));
  const replicaElectionResults: TopicOut[] = [];
  for (const t of asked) {
    let partitionResult = await electTopic(services, t.topic, t.partitions, type);
    if (all) partitionResult = partitionResult.filter((r) => r.errorCode !== ErrorCode.ELECTION_NOT_NEEDED);
    if (partitionResult.length > 0 || !all) replicaElectionResults.push({ topic: t.topic, partitionResult });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, replicaElectionResults };
});
