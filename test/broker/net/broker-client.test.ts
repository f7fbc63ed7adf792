// The broker-to-broker client reassembles response frames however the socket splits
// them: byte by byte, several frames in one chunk, one frame over many chunks.
import net from 'node:net';
import test from 'ava';
import { BrokerClient } from '../../../src/broker/net/broker-client.js';
import { startBroker } from '../../../src/index.js';

/** A proxy to a real broker that re-chunks the broker's bytes with `split`. */
async function chunkingProxy(target: number, split: (b: Buffer) => Buffer[]): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((client) => {
    const up = net.connect(target, '127.0.0.1');
    client.on('data', (d) => up.write(d));
    up.on('data', (d: Buffer) => {
      for (const part of split(d)) client.write(part);
    });
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

const everyByte = (b: Buffer) => [...b].map((x) => Buffer.from([x]));

test('responses split into single bytes, and several requests in flight, are matched to their requests', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const proxy = await chunkingProxy(b.port, everyByte);
  t.teardown(() => proxy.close());
  const c = await BrokerClient.connect('127.0.0.1', proxy.port, 'test');
  t.teardown(() => c.close());
  const answers = await Promise.all([0, 1, 2, 3].map((v) => c.request(18, v, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }, 5000)));
  for (const a of answers) {
    t.is(a.errorCode, 0);
    t.true(a.apiKeys!.some((k) => k.apiKey === 1));
  }
});

test('a closed connection fails the requests in flight', async (t) => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const c = await BrokerClient.connect('127.0.0.1', (server.address() as net.AddressInfo).port, 'test');
  await t.throwsAsync(c.request(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' }, 5000), { message: /closed/ });
  t.true(c.closed);
});
