import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { isReassigning } from '../controller/reassignment.js';

/** The partitions being moved, of every topic or of those named (unknown ones and settled partitions are left out, as Kafka does). */
export default defineApi(46, (services: Services<'metadata'>, req) => {
  const asked = req.topics ?? [...services.metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => ({ name: t.name, partitionIndexes: t.partitions.map((p) => p.partition) }));
  const topics = [];
  for (const { name, partitionIndexes } of asked) {
    const t = services.metadata.topics.get(name);
    if (!t) continue;
    const partitions = partitionIndexes.flatMap((i) => {
      const p = t.partitions[i];
      return p && isReassigning(p) ? [{ partitionIndex: i, replicas: p.replicas, addingReplicas: p.adding ?? [], removingReplicas: p.removing ?? [] }] : [];
    });
    if (partitions.length > 0) topics.push({ name, partitions });
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics };
}, { clusterOperation: AclOperation.DESCRIBE, authorizeClusterOperation: true });
