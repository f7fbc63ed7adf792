import { namespace, testBroker } from 'krill/testing';
import { roundTrip } from '../flow.mjs';

test('another file, the same broker, its own names', async () => {
  expect(await roundTrip(testBroker().bootstrap, namespace('payments'))).toBe('hello');
});
