import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(15, (services: Services<'groups' | 'authorizer'>, req, ctx) => ({
  throttleTimeMs: 0,
  groups: req.groups.map((groupId) => {
    const access = services.authorizer.access(ctx.connection);
    const ops = req.includeAuthorizedOperations ? access.operations(ResourceType.GROUP, groupId) : -2147483648;
    if (!access.group(AclOperation.DESCRIBE, groupId)) return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: -2147483648 };
    const notHere = services.groups.manager.coordinatorError(groupId);
    if (notHere !== null) return { errorCode: notHere, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
    const g = services.groups.groups.get(groupId);
    if (g?.consumer) {
      // Not a classic group: v6 says so (KIP-1043), earlier versions describe it Dead, as Kafka does.
      if (ctx.version >= 6) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a classic group.`, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
      return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
    }
    if (!g) {
      // Versions 0-5 describe an unknown group as Dead, without an error; v6 says it is not found (KIP-1043).
      if (ctx.version >= 6) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, groupId, groupState: '', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
      return { errorCode: ErrorCode.NONE, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [], authorizedOperations: ops };
    }
    const stable = g.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: g.state,
      protocolType: g.protocolType ?? '',
      protocolData: stable ? (g.protocolName ?? '') : '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: stable ? g.metadataFor(m) : Buffer.alloc(0),
        memberAssignment: stable ? m.assignment : Buffer.alloc(0),
      })),
      authorizedOperations: ops,
    };
  }),
}));
