import { ERROR_MESSAGES, ErrorCode } from '../../protocol/errors.js';
import { endpointOn } from '../net/endpoints.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Access } from '../security/authorizer.js';
import type { Services } from '../services.js';

const GROUP = 0;
const TRANSACTION = 1;

type FindServices = Services<'groups' | 'txns' | 'metadata' | 'topics' | 'brokerId' | 'authorizer'>;

/** How long an answer naming this broker waits for it to take up the coordinator's partition. */
const TAKE_UP_MS = 5000;

/**
 * The coordinator of a group is the leader of its __consumer_offsets partition; of a
 * transactional id, the leader of its __transaction_state partition. Each topic is made on
 * first use, as Kafka makes it.
 */
async function locate(services: FindServices, access: Access, listener: string, key: string, keyType: number): Promise<{ nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }> {
  const none = (errorCode: number, errorMessage: string | null) => ({ nodeId: -1, host: '', port: -1, errorCode, errorMessage });
  if (keyType !== GROUP && keyType !== TRANSACTION) return none(ErrorCode.INVALID_REQUEST, `Unknown coordinator type: ${keyType}`);
  if (!key) return none(ErrorCode.INVALID_REQUEST, keyType === GROUP ? 'Group id must not be empty' : 'Transactional id must not be empty');
  const denied = keyType === GROUP
    ? !access.group(AclOperation.DESCRIBE, key) && ErrorCode.GROUP_AUTHORIZATION_FAILED
    : !access.transactionalId(AclOperation.DESCRIBE, key) && ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  if (denied) return none(denied, ERROR_MESSAGES[denied]!);
  const topic = keyType === GROUP ? await services.topics.ensureOffsetsTopic() : await services.topics.ensureTransactionTopic();
  const index = keyType === GROUP ? services.groups.manager.partitionFor(key) : services.txns.partitionFor(key);
  const p = topic?.partitions[index];
  const node = p && services.metadata.brokers.get(p.leader);
  if (!node) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  // The metadata names this broker before it has opened and loaded the partition (a topic
  // just made, a leadership just moved): the answer waits for that, or the client's next
  // request would be told NOT_COORDINATOR, which some clients (kafkajs' sendOffsets) do not retry.
  if (node.nodeId === services.brokerId) {
    const ready = () => (keyType === GROUP ? services.groups.manager.coordinatorError(key) : services.txns.coordinatorError(key)) === null;
    for (const until = Date.now() + TAKE_UP_MS; !ready(); await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > until) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
    }
  }
  // A coordinator without the client's listener cannot be reached by it (Kafka answers so too).
  const at = endpointOn(node, listener);
  if (!at) return none(ErrorCode.COORDINATOR_NOT_AVAILABLE, null);
  return { nodeId: node.nodeId, host: at.host, port: at.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi(10, async (services: FindServices, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  if (ctx.version >= 4) {
    const coordinators = [];
    for (const key of req.coordinatorKeys) coordinators.push({ key, ...await locate(services, access, ctx.connection.listener, key, req.keyType) });
    return { throttleTimeMs: 0, coordinators };
  }
  return { throttleTimeMs: 0, ...await locate(services, access, ctx.connection.listener, req.key, ctx.version >= 1 ? req.keyType : GROUP) };
});
