// The krill CLI's client commands (issue 23) against an in-process broker, run as a user
// runs them (bin/krill in its own process): topics, produce with each partitioner, consume
// with and without a group, group describe and reset-offsets, and bad arguments.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { murmur2Partition } from '../../src/cli/partitioners.js';
import { startBroker } from '../../src/index.js';
import { ROOT, tempDir } from '../support/helpers.js';
import { makeCerts } from '../support/certs.js';

const BIN = path.join(ROOT, 'bin/krill');

/** Runs `krill ...args` (stdin given), never rejecting: code, stdout, stderr. */
function krill(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

test('murmur2 places keys where the Java client (kafkajs\' default partitioner) does', (t) => {
  const java = Partitioners.DefaultPartitioner();
  t.notThrows(() => fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
    const partitionMetadata = Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    return java({ topic: 't', partitionMetadata, message: { key, value: 'v' } }) === murmur2Partition(Buffer.from(key), n);
  }), { numRuns: 500 }));
});

test('topics, produce with each partitioner, consume with and without a group, group describe and reset-offsets', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const at = ['--bootstrap-server', b.bootstrap];
  t.like(await krill(['topic', 'create', 'cli', '--partitions', '4', '--config', 'retention.ms=3600000', ...at]), { code: 0, stdout: 'created cli\n' });
  t.is((await krill(['topic', 'create', 'cli', '--partitions', '4', ...at])).code, 1, 'TOPIC_ALREADY_EXISTS');
  t.regex((await krill(['topic', 'list', ...at])).stdout, /^cli\s+4$/m);
  t.is((await krill(['topic', 'alter-config', 'cli', '--config', 'retention.ms=7200000', ...at])).code, 0);
  t.is((await krill(['topic', 'add-partitions', 'cli', '--partitions', '6', ...at])).code, 0);

  const keys = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];
  const produced = await krill(['produce', 'cli', '--key-separator', ':', '-v', ...at], keys.map((k) => `${k}:${k}-value`).join('\n') + '\n');
  t.is(produced.code, 0, produced.stderr);
  const placed = produced.stderr.split('\n').filter((l) => l.startsWith('cli-')).map((l) => Number(/^cli-(\d+)@/.exec(l)![1]));
  t.deepEqual(placed.sort(), keys.map((k) => murmur2Partition(Buffer.from(k), 6)).sort(), 'murmur2, as the Java client places them');
  const module = path.join(tempDir(t, 'partitioner'), 'last.mjs');
  fs.writeFileSync(module, 'export default (key, n) => n - 1;\n');
  t.is((await krill(['produce', 'cli', '--partitioner', module, ...at], 'x\ny\n')).code, 0);
  t.is((await krill(['produce', 'cli', '--partitioner', 'round-robin', '--compression', 'gzip', ...at], 'r1\nr2\nr3\n')).code, 0);
  t.is((await krill(['produce', 'cli', '--partitioner', 'random', '--acks', '1', ...at], 'z\n')).code, 0);

  const described = JSON.parse((await krill(['topic', 'describe', 'cli', '--json', ...at])).stdout) as { partitions: Array<{ partition: number; logEndOffset: number }> };
  t.is(described.partitions.reduce((n, p) => n + p.logEndOffset, 0), 12, 'six keyed, two by the module, three round-robin, one random');
  t.is(described.partitions.find((p) => p.partition === 5)!.logEndOffset >= 2, true, 'the module sent both to the last partition');

  const all = await krill(['consume', 'cli', '--from-beginning', '--count', '12', '--format', '%p:%o:%k:%v\\n', ...at]);
  t.is(all.code, 0, all.stderr);
  t.is(all.stdout.trim().split('\n').length, 12);
  t.regex(all.stdout, new RegExp(`^${murmur2Partition(Buffer.from('alpha'), 6)}:\\d+:alpha:alpha-value$`, 'm'));

  const grouped = await krill(['consume', 'cli', '--group', 'cli-g', '--from-beginning', '--count', '12', ...at]);
  t.is(grouped.code, 0, grouped.stderr);
  t.is((await krill(['produce', 'cli', '--partition', '0', ...at], 'more-1\nmore-2\n')).code, 0);
  const lag = JSON.parse((await krill(['group', 'describe', 'cli-g', '--json', ...at])).stdout) as { offsets: Array<{ partition: number; lag: number }> };
  t.is(lag.offsets.reduce((n, o) => n + o.lag, 0), 2, 'the two records produced after the group read');
  t.regex((await krill(['group', 'list', ...at])).stdout, /^cli-g\s+consumer\s+Empty$/m);
  const dry = await krill(['group', 'reset-offsets', 'cli-g', '--topic', 'cli', '--to-earliest', ...at]);
  t.regex(dry.stdout, /dry run/);
  t.is((await krill(['group', 'reset-offsets', 'cli-g', '--topic', 'cli', '--to-earliest', '--execute', ...at])).code, 0);
  const afterReset = JSON.parse((await krill(['group', 'describe', 'cli-g', '--json', ...at])).stdout) as { offsets: Array<{ lag: number }> };
  t.is(afterReset.offsets.reduce((n, o) => n + o.lag, 0), 14, 'back to the start: everything is lag');
  t.is((await krill(['group', 'delete', 'cli-g', ...at])).code, 0);
  t.is((await krill(['topic', 'delete', 'cli', ...at])).code, 0);
  t.is((await krill(['topic', 'describe', 'cli', ...at])).code, 1);
});

test('bad arguments print the usage and exit 2; an unreachable broker exits 1', async (t) => {
  for (const args of [['topic', 'bogus', 'x'], ['produce'], ['topic', 'create', 'x', '--partitions', 'many'], ['consume', 't', '--nope', '1'], ['topic', 'list', '--bootstrap-server', 'nohostport']]) {
    const r = await krill(args);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, /usage: krill <command>/);
  }
  const r = await krill(['cluster', '--bootstrap-server', '127.0.0.1:1']);
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot reach 127\.0\.0\.1:1/);
});

test('two `krill consume --group` processes share a topic: the second joins, the first rejoins, the partitions are split', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const at = ['--bootstrap-server', b.bootstrap];
  t.is((await krill(['topic', 'create', 'shared', '--partitions', '4', ...at])).code, 0);
  const start = () => {
    const p = spawn(process.execPath, [BIN, 'consume', 'shared', '--group', 'pair', '--from-beginning', ...at], { stdio: ['ignore', 'ignore', 'ignore'] });
    t.teardown(() => p.kill('SIGKILL'));
    return p;
  };
  const describe = async () => JSON.parse((await krill(['group', 'describe', 'pair', '--json', ...at])).stdout) as { state: string; members: Array<{ assignment: Record<string, number[]> }> };
  const waitFor = async (ok: (d: Awaited<ReturnType<typeof describe>>) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const d = await describe().catch(() => null);
      if (d && ok(d)) return d;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`the group never got there: ${JSON.stringify(await describe().catch(() => null))}`);
  };
  const first = start();
  await waitFor((d) => d.state === 'Stable' && d.members.length === 1);
  const second = start();
  const both = await waitFor((d) => d.state === 'Stable' && d.members.length === 2 && d.members.every((m) => (m.assignment['shared'] ?? []).length > 0));
  t.deepEqual(both.members.flatMap((m) => m.assignment['shared']!).sort(), [0, 1, 2, 3], 'every partition, each once');
  second.kill('SIGINT');
  await waitFor((d) => d.state === 'Stable' && d.members.length === 1 && (d.members[0]!.assignment['shared'] ?? []).length === 4);
  first.kill('SIGINT');
  await waitFor((d) => d.members.length === 0);
});

test('--command-config: the CLI over SASL_SSL with SCRAM-SHA-512 (client.properties as Kafka\'s tools read it); wrong credentials refused', async (t) => {
  const dir = tempDir(t, 'cli-tls');
  const certs = makeCerts(dir);
  const b = await startBroker({
    config: {
      listeners: 'SASL_SSL://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.brokerPem,
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ops',
    },
    scram: [{ mechanism: 'SCRAM-SHA-512', name: 'ops', password: 'ops-secret' }],
  });
  t.teardown(() => b.close());
  const props = (password: string) => {
    const file = path.join(dir, `client-${password}.properties`);
    fs.writeFileSync(file, [
      'security.protocol=SASL_SSL', 'sasl.mechanism=SCRAM-SHA-512',
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="ops" password="${password}";`,
      'ssl.truststore.type=PEM', `ssl.truststore.location=${certs.ca}`,
    ].join('\n'));
    return file;
  };
  const at = ['--bootstrap-server', b.bootstrap, '--command-config', props('ops-secret')];
  t.is((await krill(['topic', 'create', 'secured', '--partitions', '2', ...at])).code, 0);
  t.is((await krill(['produce', 'secured', ...at], 'one\ntwo\n')).code, 0);
  const read = await krill(['consume', 'secured', '--from-beginning', '--count', '2', ...at]);
  t.deepEqual(read.stdout.trim().split('\n').sort(), ['one', 'two'], read.stderr);
  t.true(b.trace({ api: 'CreateTopics' }).every((e) => e.principal === 'ops'));
  const refused = await krill(['topic', 'list', '--bootstrap-server', b.bootstrap, '--command-config', props('wrong')]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /SASL_AUTHENTICATION_FAILED|authentication failed/i);
  const plain = await krill(['topic', 'list', '--bootstrap-server', b.bootstrap]);
  t.not(plain.code, 0, 'no TLS, no SASL: no answer');
});
