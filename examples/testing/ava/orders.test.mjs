import test from 'ava';
import { namespace, useKrill } from 'krill/testing';
import { roundTrip } from '../flow.mjs';

const krill = useKrill({ before: (fn) => test.before(fn), after: (fn) => test.after.always(fn) });

test('a record produced is consumed', async (t) => {
  t.is(await roundTrip(krill.bootstrap, namespace('orders')), 'hello');
});
