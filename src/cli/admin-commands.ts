// `krill cluster`, `krill topic ...` and `krill group ...`: Kafka's admin requests, sent to
// the broker that must answer each, printed as tables or JSON.
import { readAssignment } from '../protocol/consumer-protocol.js';
import { check, CliError, type KafkaClient, type TopicMeta } from './client.js';
import { print, table } from './output.js';

export interface Opts {
  json: boolean;
  /** Repeatable options (--config k=v), by name. */
  multi: Map<string, string[]>;
  /** Single-valued options, by name. */
  one: Map<string, string>;
  flags: Set<string>;
}

const int = (o: Opts, name: string, fallback?: number): number => {
  const v = o.one.get(name);
  if (v === undefined) {
    if (fallback === undefined) throw new CliError(`--${name} is required`, 2);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new CliError(`--${name} expects an integer, got ${v}`, 2);
  return n;
};

const configsOf = (o: Opts): Array<{ name: string; value: string }> => (o.multi.get('config') ?? []).map((kv) => {
  const i = kv.indexOf('=');
  if (i <= 0) throw new CliError(`--config expects key=value, got ${kv}`, 2);
  return { name: kv.slice(0, i), value: kv.slice(i + 1) };
});

async function topicMeta(c: KafkaClient, name: string): Promise<TopicMeta> {
  const [t] = await c.metadata([name]);
  if (!t) throw new CliError(`topic ${name}: UNKNOWN_TOPIC_OR_PARTITION`);
  return t;
}

export async function cluster(c: KafkaClient, o: Opts): Promise<void> {
  await c.metadata([]);
  const brokers = [...c.brokers].map(([id, b]) => ({ id, host: b.host, port: b.port, rack: b.rack, controller: id === c.controllerId })).sort((a, b) => a.id - b.id);
  print(o.json, { clusterId: c.clusterId, controller: c.controllerId, brokers }, () =>
    `cluster ${c.clusterId ?? '-'}, controller ${c.controllerId}\n${table(['ID', 'HOST', 'PORT', 'RACK', 'CONTROLLER'], brokers.map((b) => [b.id, b.host, b.port, b.rack, b.controller ? 'yes' : '']))}`);
}

export async function topic(c: KafkaClient, action: string | undefined, name: string | undefined, o: Opts): Promise<void> {
  if (action === 'list') {
    const topics = (await c.metadata(null)).filter((t) => o.flags.has('all') || !t.name.startsWith('__')).sort((a, b) => a.name.localeCompare(b.name));
    print(o.json, topics.map((t) => ({ name: t.name, partitions: t.partitions.length })), () => table(['TOPIC', 'PARTITIONS'], topics.map((t) => [t.name, t.partitions.length])));
    return;
  }
  if (!name) throw new CliError(`krill topic ${action ?? ''} needs a topic name`, 2);
  switch (action) {
    case 'create': {
      const r = await c.call(c.controller(), 19, {
        topics: [{ name, numPartitions: int(o, 'partitions', -1), replicationFactor: int(o, 'replication-factor', -1), assignments: [], configs: configsOf(o) }], timeoutMs: 30_000, validateOnly: false,
      });
      check(r.topics[0]?.errorCode, `creating ${name}`, r.topics[0]?.errorMessage);
      print(o.json, { created: name }, () => `created ${name}\n`);
      return;
    }
    case 'delete': {
      await topicMeta(c, name);
      const r = await c.call(c.controller(), 20, { topicNames: [name], topics: [{ name, topicId: '0'.repeat(32) }], timeoutMs: 30_000 }, 5);
      check(r.responses[0]?.errorCode, `deleting ${name}`, r.responses[0]?.errorMessage);
      print(o.json, { deleted: name }, () => `deleted ${name}\n`);
      return;
    }
    case 'add-partitions': {
      const r = await c.call(c.controller(), 37, { topics: [{ name, count: int(o, 'partitions'), assignments: null }], timeoutMs: 30_000, validateOnly: false });
      check(r.results[0]?.errorCode, `adding partitions to ${name}`, r.results[0]?.errorMessage);
      print(o.json, { topic: name, partitions: int(o, 'partitions') }, () => `${name} now has ${int(o, 'partitions')} partitions\n`);
      return;
    }
    case 'alter-config': {
      const configs = configsOf(o);
      if (configs.length === 0) throw new CliError('krill topic alter-config needs --config key=value', 2);
      const r = await c.call(c.controller(), 44, { resources: [{ resourceType: 2, resourceName: name, configs: configs.map((x) => ({ name: x.name, configOperation: 0, value: x.value })) }], validateOnly: false });
      check(r.responses[0]?.errorCode, `altering ${name}`, r.responses[0]?.errorMessage);
      print(o.json, { topic: name, configs }, () => `altered ${name}: ${configs.map((x) => `${x.name}=${x.value}`).join(', ')}\n`);
      return;
    }
    case 'describe': {
      const t = await topicMeta(c, name);
      const [start, end] = [await c.offsets(t, -2), await c.offsets(t, -1)];
      const sizes = await partitionSizes(c, t);
      const rows = t.partitions.map((p) => ({ ...p, logStartOffset: start.get(p.partition) ?? -1, logEndOffset: end.get(p.partition) ?? -1, sizeBytes: sizes.get(p.partition) ?? null }));
      print(o.json, { topic: name, partitions: rows }, () => `${name}\n${table(['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'START', 'END', 'SIZE'],
        rows.map((p) => [p.partition, p.leader, p.replicas.join(','), p.isr.join(','), p.logStartOffset, p.logEndOffset, p.sizeBytes]))}`);
      return;
    }
    default:
      throw new CliError(`no action ${action ?? ''}; create, list, describe, alter-config, add-partitions, delete`, 2);
  }
}

/** Each partition's size on its leader (DescribeLogDirs), where the broker serves it. */
async function partitionSizes(c: KafkaClient, t: TopicMeta): Promise<Map<number, number>> {
  const sizes = new Map<number, number>();
  for (const leader of new Set(t.partitions.map((p) => p.leader))) {
    const r = await c.call(leader, 35, { topics: [{ topic: t.name, partitions: t.partitions.filter((p) => p.leader === leader).map((p) => p.partition) }] }).catch(() => null);
    for (const d of r?.results ?? []) for (const x of d.topics) for (const p of x.partitions) sizes.set(p.partitionIndex, p.partitionSize);
  }
  return sizes;
}

export async function group(c: KafkaClient, action: string | undefined, groupId: string | undefined, o: Opts): Promise<void> {
  if (action === 'list') {
    const groups: Array<{ groupId: string; protocolType: string; state: string }> = [];
    for (const id of c.brokers.keys()) {
      const r = await c.call(id, 16, { statesFilter: [], typesFilter: [] }, 4);
      check(r.errorCode, `listing groups on broker ${id}`);
      for (const g of r.groups) groups.push({ groupId: g.groupId, protocolType: g.protocolType, state: g.groupState ?? '' });
    }
    groups.sort((a, b) => a.groupId.localeCompare(b.groupId));
    print(o.json, groups, () => table(['GROUP', 'TYPE', 'STATE'], groups.map((g) => [g.groupId, g.protocolType, g.state])));
    return;
  }
  if (!groupId) throw new CliError(`krill group ${action ?? ''} needs a group id`, 2);
  const coordinator = await c.coordinator(groupId);
  switch (action) {
    case 'describe': {
      const d = await c.call(coordinator, 15, { groups: [groupId], includeAuthorizedOperations: false }, 5);
      const g = d.groups[0]!;
      check(g.errorCode, `describing ${groupId}`);
      const members = g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: Object.fromEntries(readAssignment(m.memberAssignment)) }));
      const offsets = await committed(c, coordinator, groupId);
      const lag: Array<{ topic: string; partition: number; committed: number; logEnd: number; lag: number; member: string | null }> = [];
      for (const [topicName, parts] of offsets) {
        const end = await c.offsets(await topicMeta(c, topicName), -1);
        for (const [partition, offset] of parts) {
          const owner = members.find((m) => m.assignment[topicName]?.includes(partition))?.memberId ?? null;
          const logEnd = end.get(partition) ?? -1;
          lag.push({ topic: topicName, partition, committed: offset, logEnd, lag: Math.max(0, logEnd - offset), member: owner });
        }
      }
      print(o.json, { groupId, state: g.groupState, protocol: g.protocolData, members, offsets: lag }, () =>
        `${groupId}: ${g.groupState}${g.protocolData ? ` (${g.protocolData})` : ''}, ${members.length} member(s)\n`
        + (members.length ? table(['MEMBER', 'CLIENT', 'HOST', 'ASSIGNMENT'], members.map((m) => [m.memberId, m.clientId, m.host, Object.entries(m.assignment).map(([t, ps]) => `${t}:${ps.join(',')}`).join(' ')])) : '')
        + table(['TOPIC', 'PARTITION', 'COMMITTED', 'LOG END', 'LAG', 'MEMBER'], lag.map((x) => [x.topic, x.partition, x.committed, x.logEnd, x.lag, x.member])));
      return;
    }
    case 'delete': {
      const r = await c.call(coordinator, 42, { groupsNames: [groupId] });
      check(r.results[0]?.errorCode, `deleting ${groupId}`);
      print(o.json, { deleted: groupId }, () => `deleted ${groupId}\n`);
      return;
    }
    case 'reset-offsets':
      return resetOffsets(c, coordinator, groupId, o);
    default:
      throw new CliError(`no action ${action ?? ''}; list, describe, reset-offsets, delete`, 2);
  }
}

/** A group's committed offsets: topic -> partition -> offset. */
async function committed(c: KafkaClient, coordinator: number, groupId: string): Promise<Map<string, Map<number, number>>> {
  const r = await c.call(coordinator, 9, { groupId, topics: null, groups: [{ groupId, topics: null }], requireStable: false }, 7);
  check(r.errorCode, `offsets of ${groupId}`);
  const out = new Map<string, Map<number, number>>();
  for (const t of r.topics ?? []) {
    for (const p of t.partitions ?? []) {
      const offset = p.committedOffset ?? -1;
      if (offset < 0 || t.name === undefined || p.partitionIndex === undefined) continue;
      if (!out.has(t.name)) out.set(t.name, new Map());
      out.get(t.name)!.set(p.partitionIndex, offset);
    }
  }
  return out;
}

async function resetOffsets(c: KafkaClient, coordinator: number, groupId: string, o: Opts): Promise<void> {
  const topicName = o.one.get('topic');
  if (!topicName) throw new CliError('krill group reset-offsets needs --topic', 2);
  const t = await topicMeta(c, topicName);
  const to = ['to-earliest', 'to-latest', 'to-offset', 'to-datetime'].filter((k) => o.flags.has(k) || o.one.has(k));
  if (to.length !== 1) throw new CliError('krill group reset-offsets needs one of --to-earliest, --to-latest, --to-offset N, --to-datetime ISO', 2);
  let target: Map<number, number>;
  if (to[0] === 'to-offset') target = new Map(t.partitions.map((p) => [p.partition, int(o, 'to-offset')]));
  else if (to[0] === 'to-datetime') {
    const ms = Date.parse(o.one.get('to-datetime')!);
    if (Number.isNaN(ms)) throw new CliError(`--to-datetime expects an ISO date, got ${o.one.get('to-datetime')}`, 2);
    const found = await c.offsets(t, ms);
    const end = await c.offsets(t, -1);
    target = new Map(t.partitions.map((p) => [p.partition, (found.get(p.partition) ?? -1) < 0 ? end.get(p.partition)! : found.get(p.partition)!]));
  } else target = await c.offsets(t, to[0] === 'to-earliest' ? -2 : -1);
  const plan = [...target].sort((a, b) => a[0] - b[0]).map(([partition, offset]) => ({ topic: topicName, partition, offset }));
  if (o.flags.has('execute')) {
    const r = await c.call(coordinator, 8, {
      groupId, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: topicName, partitions: plan.map((p) => ({ partitionIndex: p.partition, committedOffset: p.offset, committedLeaderEpoch: -1, committedMetadata: '' })) }],
    }, 8);
    for (const p of r.topics[0]?.partitions ?? []) check(p.errorCode, `committing ${topicName}-${p.partitionIndex} for ${groupId}`);
  }
  print(o.json, { groupId, executed: o.flags.has('execute'), offsets: plan }, () =>
    table(['TOPIC', 'PARTITION', 'NEW OFFSET'], plan.map((p) => [p.topic, p.partition, p.offset])) + (o.flags.has('execute') ? '' : 'a dry run: add --execute to commit these\n'));
}
