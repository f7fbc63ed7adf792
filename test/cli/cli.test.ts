import test from 'ava';
import { parseStartArgs } from '../../src/cli/args.js';
import { parseProperties } from '../../src/broker/config.js';

test('server.properties parsing follows Java properties rules', (t) => {
  const p = parseProperties('# comment\n! also\nnum.partitions=3\nlog.dirs = /var/kafka \nlisteners: PLAINTEXT://0.0.0.0:9092\nlong.value=a,\\\n  b\n');
  t.deepEqual(p, { 'num.partitions': '3', 'log.dirs': '/var/kafka', listeners: 'PLAINTEXT://0.0.0.0:9092', 'long.value': 'a,b' });
});

test('command-line options override the properties file and set the listener', (t) => {
  const r = parseStartArgs(['--port', '9999', '--set', 'num.partitions=4', '--data-dir', '/tmp/x', '--broker-id', '2']);
  t.is(r.config['listeners'], 'PLAINTEXT://127.0.0.1:9999');
  t.is(r.config['num.partitions'], '4');
  t.is(r.config['log.dirs'], '/tmp/x');
  t.is(r.config['broker.id'], '2');
  t.throws(() => parseStartArgs(['--set', 'novalue']));
  t.throws(() => parseStartArgs(['--bogus']));
});

test('--metadata takes etcd endpoints and --rack sets broker.rack', (t) => {
  const r = parseStartArgs(['--broker-id', '1', '--metadata', 'etcd://127.0.0.1:2379,127.0.0.1:22379', '--rack', 'eu-1a']);
  t.is(r.metadata, 'etcd://127.0.0.1:2379,127.0.0.1:22379');
  t.is(r.config['broker.rack'], 'eu-1a');
  t.is(parseStartArgs([]).metadata, undefined);
  t.throws(() => parseStartArgs(['--metadata', 'zookeeper://localhost:2181']), { message: /etcd:\/\// });
});

test('--feature and --add-scram take what kafka-storage format takes; unknown names and bad forms are refused', (t) => {
  t.deepEqual(parseStartArgs(['--feature', 'transaction.version=1']).features, { 'transaction.version': 1 });
  t.deepEqual(parseStartArgs([]).features, {});
  t.deepEqual(parseStartArgs(['--feature', 'metadata.version=20']).features, { 'metadata.version': 20 });
  t.throws(() => parseStartArgs(['--feature', 'share.version=1']), { message: /transaction\.version/ });
  t.throws(() => parseStartArgs(['--feature', 'transaction.version']), { message: /name=level/ });
  t.deepEqual(parseStartArgs(['--add-scram', 'SCRAM-SHA-256=[name=alice,password=alice-secret]', '--add-scram', 'SCRAM-SHA-512=[name=bob,password=b]']).scram.map((u) => [u.mechanism, u.name]),
    [['SCRAM-SHA-256', 'alice'], ['SCRAM-SHA-512', 'bob']], '--add-scram, repeatable, as kafka-storage format takes it');
  t.throws(() => parseStartArgs(['--add-scram', 'SCRAM-SHA-256=[name=alice]']), { message: /password/ });
});

test('--http-port, --http-host and --test-kit', (t) => {
  t.like(parseStartArgs(['--http-port', '8080', '--test-kit']), { http: { host: '127.0.0.1', port: 8080 }, testKit: true });
  t.like(parseStartArgs(['--http-port', '0', '--http-host', '0.0.0.0']), { http: { host: '0.0.0.0', port: 0 }, testKit: false });
  t.is(parseStartArgs([]).http, undefined);
  t.throws(() => parseStartArgs(['--http-port', 'x']), { message: /--http-port/ });
});

test('--clock system|virtual', (t) => {
  t.is(parseStartArgs([]).clock, 'system');
  t.is(parseStartArgs(['--clock', 'virtual']).clock, 'virtual');
  t.throws(() => parseStartArgs(['--clock', 'fast']), { message: /--clock/ });
});
