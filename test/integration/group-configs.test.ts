// Group configs (KIP-848): GROUP config resources set with IncrementalAlterConfigs, checked
// against the broker's bounds with Kafka's messages, described with their defaults, and
// applied to the group's members (the heartbeat interval a ConsumerGroupHeartbeat answers).
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { groupConfigError } from '../../src/broker/group/group-configs.js';
import { RawClient } from '../support/raw-client.js';

const GROUP = 32;

test('a group\'s consumer.heartbeat.interval.ms and session timeout: set, described, refused out of bounds, and given to its members', async (t) => {
  const b = await startBroker({ config: { 'group.consumer.min.heartbeat.interval.ms': '100', 'group.consumer.min.session.timeout.ms': '1000' } });
  t.teardown(() => b.close());
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  await raw.findCoordinator('configured');
  const alter = async (name: string, configs: Array<[string, string]>) => {
    const r = await raw.request(44, 1, { resources: [{ resourceType: GROUP, resourceName: name, configs: configs.map(([n, value]) => ({ name: n, configOperation: 0, value })) }], validateOnly: false });
    return [r.responses[0]!.errorCode, r.responses[0]!.errorMessage];
  };
  t.deepEqual(await alter('configured', [['consumer.heartbeat.interval.ms', '50']]), [ErrorCode.INVALID_CONFIG, 'consumer.heartbeat.interval.ms must be greater than or equal to group.consumer.min.heartbeat.interval.ms']);
  t.deepEqual(await alter('configured', [['consumer.session.timeout.ms', '999999']]), [ErrorCode.INVALID_CONFIG, 'consumer.session.timeout.ms must be less than or equal to group.consumer.max.session.timeout.ms']);
  t.deepEqual(await alter('configured', [['share.record.lock.duration.ms', '1']]), [ErrorCode.INVALID_CONFIG, 'Unknown group config name: share.record.lock.duration.ms']);
  t.deepEqual(await alter('', [['consumer.session.timeout.ms', '2000']]), [ErrorCode.INVALID_REQUEST, 'Group name must not be empty']);
  t.deepEqual(await alter('configured', [['consumer.heartbeat.interval.ms', '300'], ['consumer.session.timeout.ms', '2000']]), [ErrorCode.NONE, null]);

  const described = await raw.request(32, 4, { resources: [{ resourceType: GROUP, resourceName: 'configured', configurationKeys: null }, { resourceType: GROUP, resourceName: 'other', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  // Source 8 is GROUP_CONFIG, 5 DEFAULT_CONFIG (the broker's group.consumer.* default).
  t.deepEqual(described.results.map((r) => r.configs.map((c) => [c.name, c.value, c.configSource])), [
    [['consumer.session.timeout.ms', '2000', 8], ['consumer.heartbeat.interval.ms', '300', 8]],
    [['consumer.session.timeout.ms', '45000', 5], ['consumer.heartbeat.interval.ms', '5000', 5]],
  ]);
  const listed = await raw.request(74, 1, { resourceTypes: [GROUP] });
  t.deepEqual(listed.configResources, [{ resourceName: 'configured', resourceType: GROUP }]);

  const hb = await raw.request(68, 1, { groupId: 'configured', memberId: 'member-1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [] });
  t.deepEqual([hb.errorCode, hb.heartbeatIntervalMs], [ErrorCode.NONE, 300], 'the group\'s own interval');
});

test('group configs are checked with the effective values, overrides over the broker\'s defaults', (t) => {
  const broker = new Map(Object.entries({
    'group.consumer.session.timeout.ms': '45000', 'group.consumer.heartbeat.interval.ms': '5000', 'group.consumer.min.session.timeout.ms': '45000',
    'group.consumer.max.session.timeout.ms': '60000', 'group.consumer.min.heartbeat.interval.ms': '5000', 'group.consumer.max.heartbeat.interval.ms': '15000',
  }));
  const cfg = { get: (n: string) => broker.get(n) ?? null, int: (n: string) => Number(broker.get(n)) };
  t.is(groupConfigError({ 'consumer.heartbeat.interval.ms': '15000' }, cfg), null);
  broker.set('group.consumer.min.session.timeout.ms', '1000');
  t.is(groupConfigError({ 'consumer.session.timeout.ms': '10000', 'consumer.heartbeat.interval.ms': '10000' }, cfg), 'consumer.heartbeat.interval.ms must be less than consumer.session.timeout.ms');
  t.is(groupConfigError({ 'consumer.session.timeout.ms': 'soon' }, cfg), 'Invalid value soon for configuration consumer.session.timeout.ms: Not a number of type INT');
});
