import { namespace, testBroker } from 'krill/testing';
import { roundTrip } from '../flow.mjs';

test('a record produced is consumed', async () => {
  expect(await roundTrip(testBroker().bootstrap, namespace('orders'))).toBe('hello');
});
