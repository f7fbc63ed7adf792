import path from 'node:path';
import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeLogDirsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { MEMORY_LOG_DIR } from '../../storage/log-manager.js';

type Result = DescribeLogDirsResponse['results'][number];

/**
 * Each log directory with the partitions it holds (all, or those asked for) and its
 * volume's space; an offline directory answers KAFKA_STORAGE_ERROR with nothing in it, as
 * Kafka's does. A replica's copy being made by AlterReplicaLogDirs is listed in its new
 * directory as a future replica, with how far it is behind the log.
 */
export default defineApi(35, (services: Services<'logDirs'>, req) => {
  const wanted = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
  const results: Result[] = services.logDirs.describe().map((d) => {
    const byTopic = new Map<string, Array<{ partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }>>();
    for (const p of d.partitions) {
      if (wanted && !wanted.get(p.topic)?.has(p.partition)) continue;
      let list = byTopic.get(p.topic);
      if (!list) byTopic.set(p.topic, (list = []));
      list.push({ partitionIndex: p.partition, partitionSize: p.size, offsetLag: p.offsetLag, isFutureKey: p.future });
    }
    const topics = [...byTopic].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, partitions]) => ({ name, partitions: partitions.sort((a, b) => a.partitionIndex - b.partitionIndex) }));
    return {
      errorCode: d.failure ? ErrorCode.KAFKA_STORAGE_ERROR : ErrorCode.NONE,
      logDir: d.path === MEMORY_LOG_DIR ? d.path : path.resolve(d.path),
      topics,
      totalBytes: d.totalBytes,
      usableBytes: d.usableBytes,
    };
  });
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, results };
}, { clusterOperation: AclOperation.DESCRIBE });
