// node:test, a broker per test file: `node --test examples/testing/node-test/`
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { namespace, useKrill } from 'krill/testing';
import { roundTrip } from '../flow.mjs';

const krill = useKrill({ before, after });
const name = namespace('orders');

test('a record produced is consumed', async () => {
  assert.equal(await roundTrip(krill.bootstrap, name), 'hello');
});

test('a fault: the first produce answered NOT_LEADER_OR_FOLLOWER is retried by the client', async () => {
  krill.broker.addFault({ api: 'Produce', error: 'NOT_LEADER_OR_FOLLOWER' });
  assert.equal(await roundTrip(krill.bootstrap, namespace('retried')), 'hello');
  assert.equal(krill.broker.trace({ api: 'Produce' }).filter((e) => e.fault).length, 1);
});
