import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { JoinResult } from '../group/group.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { splitAddress } from '../net/address.js';

export const clientHost = (remoteAddress: string): string => `/${splitAddress(remoteAddress).ip}`;

export default defineApi(11, async (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  if (!services.authorizer.access(ctx.connection).group(AclOperation.READ, req.groupId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, generationId: -1, protocolType: null, protocolName: ctx.version >= 7 ? null : '', leader: '', memberId: req.memberId, skipAssignment: false, members: [] };
  }
  const r: JoinResult = await services.groups.join({
    groupId: req.groupId,
    sessionTimeoutMs: req.sessionTimeoutMs,
    // v0 has no rebalance timeout: it is the session timeout there.
    rebalanceTimeoutMs: ctx.version >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
    memberId: req.memberId,
    groupInstanceId: req.groupInstanceId,
    protocolType: req.protocolType,
    protocols: req.protocols,
    clientId: ctx.header.clientId ?? '',
    clientHost: clientHost(ctx.connection.remoteAddress),
    requireKnownMemberId: ctx.version >= 4,
  });
  return { throttleTimeMs: 0, ...r };
});
