// Kafka's listener configs: `listeners` and `advertised.listeners` parsed as Kafka's
// EndPoint parses them, the address each listener is advertised at, the inter-broker
// listener's choice, and a registered broker's address on a listener.
import test from 'ava';
import fc from 'fast-check';
import { ConfigError } from '../../../src/broker/config.js';
import { advertisedEndpoints, endpointOn, interBrokerListener, parseListeners } from '../../../src/broker/net/endpoints.js';

test('listeners: names upper-cased, IPv6 in brackets, an empty host for every interface; names and ports once each', (t) => {
  t.deepEqual(parseListeners('plaintext://127.0.0.1:9092, SASL_SSL://[::1]:9093,INTERNAL://:9094'), [
    { name: 'PLAINTEXT', host: '127.0.0.1', port: 9092 }, { name: 'SASL_SSL', host: '::1', port: 9093 }, { name: 'INTERNAL', host: '', port: 9094 },
  ]);
  t.is(parseListeners('A://h:0,B://h:0').length, 2, 'port 0 (pick one) may repeat');
  t.throws(() => parseListeners('A://h:1,a://h:2'), { instanceOf: ConfigError, message: /different name/ });
  t.throws(() => parseListeners('A://h:1,B://h:1'), { message: /different port/ });
  for (const bad of ['', 'h:1', 'A://h', 'A://h:x', 'A://h:70000', 'A-B://h:1']) t.throws(() => parseListeners(bad), { instanceOf: ConfigError }, bad);
});

test('advertised: by listener name, else the bound address (a wildcard told as 127.0.0.1); port 0 there is the port bound', (t) => {
  const bound = [{ name: 'CLIENT', host: '0.0.0.0', port: 9092 }, { name: 'INTERNAL', host: '10.0.0.5', port: 9093 }];
  t.deepEqual(advertisedEndpoints(bound, null), [{ name: 'CLIENT', host: '127.0.0.1', port: 9092 }, { name: 'INTERNAL', host: '10.0.0.5', port: 9093 }]);
  t.deepEqual(advertisedEndpoints(bound, 'CLIENT://kafka.example:0'), [{ name: 'CLIENT', host: 'kafka.example', port: 9092 }, { name: 'INTERNAL', host: '10.0.0.5', port: 9093 }]);
  t.throws(() => advertisedEndpoints(bound, 'OTHER://x:1'), { message: /not one of the listeners/ });
});

test('inter-broker listener: named, or by its protocol, or PLAINTEXT, or the first', (t) => {
  const configs = (m: Record<string, string>) => ({ lookup: (k: string) => ({ value: m[k] ?? (k === 'security.inter.broker.protocol' ? 'PLAINTEXT' : null), source: k in m ? 4 : 5 }) });
  t.deepEqual(interBrokerListener(configs({ 'inter.broker.listener.name': 'internal' }), ['CLIENT', 'INTERNAL'], 5), { name: 'INTERNAL', explicit: true });
  t.deepEqual(interBrokerListener(configs({ 'security.inter.broker.protocol': 'SASL_SSL' }), ['PLAINTEXT', 'SASL_SSL'], 5), { name: 'SASL_SSL', explicit: true });
  t.deepEqual(interBrokerListener(configs({}), ['SASL_SSL', 'PLAINTEXT'], 5), { name: 'PLAINTEXT', explicit: false });
  t.deepEqual(interBrokerListener(configs({}), ['SASL_SSL'], 5), { name: 'SASL_SSL', explicit: false });
  t.throws(() => interBrokerListener(configs({ 'inter.broker.listener.name': 'X' }), ['PLAINTEXT'], 5), { message: /valid options based on currently configured listeners are PLAINTEXT/ });
});

test('a broker\'s address on a listener; a registration without named listeners has one address for all', (t) => {
  const b = { host: 'h', port: 1, endpoints: [{ name: 'A', host: 'a', port: 2 }] };
  t.deepEqual(endpointOn(b, 'A'), { name: 'A', host: 'a', port: 2 });
  t.is(endpointOn(b, 'B'), null);
  t.like(endpointOn({ host: 'h', port: 1 }, 'B'), { host: 'h', port: 1 });
});

test('property: any listeners text is parsed or refused with a ConfigError, and what parses prints back the same', (t) => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
  const entry = fc.tuple(name, fc.constantFrom('127.0.0.1', '', 'host.example', '[::1]'), fc.integer({ min: 0, max: 65535 })).map(([n, h, p]) => `${n}://${h}:${p}`);
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(entry, { minLength: 1, maxLength: 4 }).map((a) => a.join(','))), (text) => {
    try {
      const parsed = parseListeners(text);
      const again = parseListeners(parsed.map((e) => `${e.name}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`).join(','));
      return JSON.stringify(again) === JSON.stringify(parsed);
    } catch (e) {
      return e instanceof ConfigError;
    }
  }), { numRuns: 500 });
  t.pass();
});
