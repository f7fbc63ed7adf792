// UpdateFeatures (kafka-features.sh upgrade/downgrade): finalized levels in the cluster
// metadata, changed as Kafka's controller changes them, seen in every broker's ApiVersions,
// kept across restarts, and acted on (group.version 0 turns KIP-848 groups off).
import { Connection, updateFeaturesV1 } from '@platformatic/kafka';
import test from 'ava';
import { startBroker, startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const finalized = async (c: RawClient) => {
  const r = await c.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  return { epoch: r.finalizedFeaturesEpoch ?? -1, levels: Object.fromEntries((r.finalizedFeatures ?? []).map((f) => [f.name, f.maxVersionLevel])) };
};

test('ApiVersions lists Kafka 4.2\'s features; UpdateFeatures v1 through @platformatic/kafka\'s codec changes them, or refuses as Kafka does', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const versions = await raw.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  t.deepEqual(versions.supportedFeatures, [
    { name: 'metadata.version', minVersion: 7, maxVersion: 29 }, { name: 'transaction.version', minVersion: 0, maxVersion: 2 }, { name: 'group.version', minVersion: 0, maxVersion: 1 },
  ]);
  const before = await finalized(raw);
  t.deepEqual(before.levels, { 'metadata.version': 29, 'transaction.version': 2, 'group.version': 1 });
  t.true(before.epoch > 0);

  const c = new Connection('features-codec');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  const update = (updates: updateFeaturesV1.UpdateFeaturesRequestFeature[], validateOnly = false) =>
    updateFeaturesV1.api.async(c, 30_000, updates, validateOnly).catch((e: { response?: updateFeaturesV1.UpdateFeaturesResponse }) => {
      if (!e.response) throw e;
      return e.response;
    });
  const prefix = 'The update failed for all features since the following feature had an error: ';
  const refused = async (updates: updateFeaturesV1.UpdateFeaturesRequestFeature[]) => {
    const r = await update(updates);
    t.is(r.errorCode, ErrorCode.INVALID_UPDATE_VERSION);
    t.deepEqual(r.results, [], 'no rows on a refusal');
    return r.errorMessage?.replace(prefix, '');
  };
  t.is(await refused([{ feature: 'transaction.version', maxVersionLevel: 1, upgradeType: 1 }]),
    'Invalid update version 1 for feature transaction.version. Can\'t downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.');
  t.is(await refused([{ feature: 'transaction.version', maxVersionLevel: 3, upgradeType: 1 }]), 'Invalid update version 3 for feature transaction.version. Local controller 0 only supports versions 0-2');
  t.is(await refused([{ feature: 'share.version', maxVersionLevel: 1, upgradeType: 1 }]), 'Invalid update version 1 for feature share.version. Local controller 0 does not support this feature.');
  t.is(await refused([{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 4 }]), 'Invalid update version 0 for feature group.version. The controller does not support the given upgrade type.');
  t.is(await refused([{ feature: 'metadata.version', maxVersionLevel: 22, upgradeType: 2 }]),
    'Unsupported metadata.version downgrade from 29 to 22. Refusing to perform the requested downgrade because it might delete metadata information.');
  // All or nothing: a valid update beside a refused one is not made either.
  await refused([{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }, { feature: 'transaction.version', maxVersionLevel: 5, upgradeType: 1 }]);
  const dry = await update([{ feature: 'transaction.version', maxVersionLevel: 1, upgradeType: 2 }], true);
  t.is(dry.errorCode, ErrorCode.NONE);
  t.deepEqual((await finalized(raw)).levels, before.levels, 'nothing changed by refusals or a validate-only request');

  const done = await update([{ feature: 'transaction.version', maxVersionLevel: 1, upgradeType: 2 }, { feature: 'group.version', maxVersionLevel: 0, upgradeType: 3 }]);
  t.deepEqual([done.errorCode, done.errorMessage, done.results], [0, null, [
    { feature: 'transaction.version', errorCode: 0, errorMessage: 'NONE' }, { feature: 'group.version', errorCode: 0, errorMessage: 'NONE' },
  ]]);
  const after = await finalized(raw);
  t.deepEqual(after.levels, { 'metadata.version': 29, 'transaction.version': 1 }, 'a level 0 is not finalized');
  t.true(after.epoch > before.epoch);

  // group.version 0: the consumer protocol is off, as Kafka's isConsumerGroupProtocolEnabled says.
  const hb = await raw.request(68, 0, { groupId: 'g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['t'], serverAssignor: null, topicPartitions: [] });
  t.is(hb.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  const described = await raw.request(69, 0, { groupIds: ['g'], includeAuthorizedOperations: false });
  t.is(described.groups[0]!.errorCode, ErrorCode.UNSUPPORTED_VERSION);

  // v0's AllowDowngrade and v2's answer without rows, hand-framed.
  const v0 = await raw.request(57, 0, { timeoutMs: 30_000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 1, allowDowngrade: false }] });
  t.deepEqual([v0.errorCode, v0.results?.length], [0, 1]);
  const v2 = await raw.request(57, 2, { timeoutMs: 30_000, featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 2, upgradeType: 1 }], validateOnly: false });
  t.deepEqual([v2.errorCode, v2.errorMessage], [0, null]);
  t.deepEqual((await finalized(raw)).levels, before.levels);
});

test('finalized levels are the cluster\'s: changed on one broker, seen on every other, kept across a restart', async (t) => {
  const c = await startCluster({ brokers: 3, features: { 'transaction.version': 1 } });
  t.teardown(() => c.close());
  const on = async (i: number) => {
    const r = await RawClient.connect(c.brokers[i]!.port);
    t.teardown(() => r.close());
    return r;
  };
  t.is((await finalized(await on(1))).levels['transaction.version'], 1, 'started with --feature');
  const r = await (await on(0)).request(57, 1, { timeoutMs: 30_000, featureUpdates: [{ feature: 'transaction.version', maxVersionLevel: 2, upgradeType: 1 }], validateOnly: false });
  t.is(r.errorCode, ErrorCode.NONE);
  for (const i of [1, 2]) t.is((await finalized(await on(i))).levels['transaction.version'], 2, `broker ${i}`);
  await c.restart(2);
  t.is((await finalized(await on(2))).levels['transaction.version'], 2, 'a restarted broker keeps the cluster\'s level over the one it was started with');

  const dir = tempDir(t, 'features');
  const single = await startBroker({ storage: dir });
  const s = await RawClient.connect(single.port);
  await s.request(57, 1, { timeoutMs: 30_000, featureUpdates: [{ feature: 'group.version', maxVersionLevel: 0, upgradeType: 2 }], validateOnly: false });
  s.close();
  await single.close();
  const reopened = await startBroker({ storage: dir });
  t.teardown(() => reopened.close());
  const again = await RawClient.connect(reopened.port);
  t.teardown(() => again.close());
  t.is((await finalized(again)).levels['group.version'], undefined, 'group.version 0 kept in the metadata file');
});
