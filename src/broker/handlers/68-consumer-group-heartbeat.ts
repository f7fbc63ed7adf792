import { ErrorCode } from '../../protocol/errors.js';
import { clientHost } from './11-join-group.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/**
 * Kafka's isConsumerGroupProtocolEnabled: the consumer protocol is among
 * group.coordinator.rebalance.protocols and group.version is finalized at 1 or more.
 * Without it both KIP-848 APIs answer UNSUPPORTED_VERSION.
 */
export const consumerProtocolEnabled = (services: Services<'config' | 'features'>): boolean =>
  services.features.level('group.version') >= 1 && (services.config.get('group.coordinator.rebalance.protocols') ?? '').split(',').map((s) => s.trim()).includes('consumer');

/** KIP-848: a consumer group member's heartbeat carries its subscription and owned partitions; the answer, its epoch and assignment. */
export default defineApi(68, (services: Services<'groups' | 'config' | 'features' | 'authorizer'>, req, ctx) => {
  const refused = (errorCode: number) => ({ throttleTimeMs: 0, errorCode, errorMessage: null, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
  if (!consumerProtocolEnabled(services)) return refused(ErrorCode.UNSUPPORTED_VERSION);
  const access = services.authorizer.access(ctx.connection);
  if (!access.group(AclOperation.READ, req.groupId)) return refused(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // As KafkaApis: a member may not subscribe to a topic it may not see (DESCRIBE).
  if (req.subscribedTopicNames?.some((t) => !access.topic(AclOperation.DESCRIBE, t))) return refused(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  return services.groups.consumer.heartbeat(req, ctx.version, { clientId: ctx.header.clientId ?? '', clientHost: clientHost(ctx.connection.remoteAddress) });
});
