// Kafka's limits on connections: max.connections.per.ip (and its overrides),
// max.connections, and connections.max.idle.ms closing connections that have nothing in
// hand, among them a client that sent part of a frame and stalled.
import test, { type ExecutionContext } from 'ava';
import { parseOverrides } from '../../../src/broker/net/listener.js';
import { startBroker } from '../../../src/index.js';
import { RawClient } from '../../support/raw-client.js';
import { sleep } from '../../support/helpers.js';

const answers = async (c: RawClient) => (await c.request(18, 0, {})).errorCode === 0;

test('max.connections.per.ip refuses the connection past the limit; one closing makes room', async (t) => {
  const b = await startBroker({ config: { 'max.connections.per.ip': '2' } });
  t.teardown(() => b.close());
  const [c1, c2] = [await RawClient.connect(b.port), await RawClient.connect(b.port)];
  t.teardown(() => [c1, c2].forEach((c) => c.close()));
  t.true(await answers(c1) && await answers(c2));
  const c3 = await RawClient.connect(b.port);
  t.teardown(() => c3.close());
  t.true(await c3.closedWithin(2000), 'the third connection from 127.0.0.1 is closed');
  c1.close();
  await sleep(100);
  const c4 = await RawClient.connect(b.port);
  t.teardown(() => c4.close());
  t.true(await answers(c4));
});

/** A broker with `config`, where a first connection is served and a second one closed. */
async function secondRefused(t: ExecutionContext, config: Record<string, string>): Promise<void> {
  const b = await startBroker({ config });
  t.teardown(() => b.close());
  const first = await RawClient.connect(b.port);
  const second = await RawClient.connect(b.port);
  t.teardown(() => [first, second].forEach((c) => c.close()));
  t.true(await answers(first));
  t.true(await second.closedWithin(2000));
}

test('max.connections.per.ip.overrides gives an address its own limit; max.connections caps them all', async (t) => {
  t.deepEqual([...parseOverrides('hostName:100, 127.0.0.1:1,bad,::1:5')], [['hostName', 100], ['127.0.0.1', 1], ['::1', 5]]);
  await secondRefused(t, { 'max.connections.per.ip.overrides': '127.0.0.1:1' });
  await secondRefused(t, { 'max.connections': '1' });
});

test('connections.max.idle.ms closes an idle connection and one stalled mid-frame, and keeps a busy one', async (t) => {
  const b = await startBroker({ config: { 'connections.max.idle.ms': '400' } });
  t.teardown(() => b.close());
  const idle = await RawClient.connect(b.port);
  const stalled = await RawClient.connect(b.port);
  const busy = await RawClient.connect(b.port);
  t.teardown(() => [idle, stalled, busy].forEach((c) => c.close()));
  t.true(await answers(idle));
  // A frame that promises 100 bytes and sends 10.
  const partial = Buffer.alloc(14);
  partial.writeInt32BE(100, 0);
  stalled.sendRaw(partial);
  const keepBusy = (async () => {
    for (let i = 0; i < 12; i++) {
      if (!await answers(busy)) return false;
      await sleep(100);
    }
    return true;
  })();
  t.true(await idle.closedWithin(2000), 'the idle connection is closed');
  t.true(await stalled.closedWithin(2000), 'the stalled one too');
  t.true(await keepBusy, 'the busy one answered throughout');
  t.false(busy.closed);
});
