// A connection's close hooks: a long-poll that ends by itself forgets its hook, so a
// consumer connection that lives for days does not collect one closure per fetch.
import net from 'node:net';
import test from 'ava';
import { Connection, type ConnectionHost } from '../../../src/broker/net/connection.js';
import { createLogger } from '../../../src/broker/logger.js';
import { ApiTable } from '../../../src/broker/api-table.js';
import { RequestBytes } from '../../../src/broker/net/request-bytes.js';
import { listenerSecurity } from '../../../src/broker/security/listener-security.js';
import type { BrokerServices } from '../../../src/broker/services.js';

async function acceptedPair(): Promise<{ accepted: net.Socket; client: net.Socket; close: () => void }> {
  const server = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const a = await accepted;
  return { accepted: a, client, close: () => { client.destroy(); server.close(); } };
}

test('a forgotten close hook does not run; the others run once, and late ones at once', async (t) => {
  const { accepted, close } = await acceptedPair();
  t.teardown(close);
  const host: ConnectionHost = {
    // No API is served, so no handler is ever given services.
    apis: new ApiTable([]), services: {} as BrokerServices, security: listenerSecurity({ get: () => null }, 'PLAINTEXT', () => new Map()), maxRequestBytes: 1 << 20, logger: createLogger('silent', 0),
    maxQueuedRequests: 500, requestBytes: new RequestBytes(-1), testKit: null,
  };
  const c = new Connection(1, accepted, host);
  const ran: string[] = [];
  const forget = c.onClose(() => ran.push('forgotten'));
  c.onClose(() => ran.push('kept'));
  forget();
  c.close();
  c.close();
  c.onClose(() => ran.push('late'));
  t.deepEqual(ran, ['kept', 'late']);
});
