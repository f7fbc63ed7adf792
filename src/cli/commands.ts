// The CLI's commands other than `start`: `krill topic|produce|consume|group|cluster`, with
// Kafka's usual options, against any Kafka-compatible broker (--bootstrap-server,
// 127.0.0.1:9092 by default). Tables for people, --json for scripts; exit 2 on bad
// arguments, 1 when the broker says no.
import { consume, produce } from './produce-consume.js';
import { cluster, group, type Opts, topic } from './admin-commands.js';
import { CliError, KafkaClient } from './client.js';
import fs from 'node:fs';
import { parseProperties } from '../broker/config.js';
import { clientTransport, type PeerTransport } from '../broker/security/peer-security.js';

export const COMMANDS_USAGE = `usage: krill <command> [--bootstrap-server 127.0.0.1:9092] [--command-config client.properties] [--json]
  krill topic create NAME [--partitions N] [--replication-factor R] [--config k=v ...]
  krill topic list [--all] | describe NAME | delete NAME
  krill topic alter-config NAME --config k=v ... | add-partitions NAME --partitions N
  krill produce TOPIC [--key-separator :] [--headers] [--partition N]
                [--partitioner murmur2|round-robin|random|./module.js] [--acks all|1|0]
                [--compression none|gzip|snappy|lz4|zstd] [-v]   (lines on stdin)
  krill consume TOPIC [--group G] [--from-beginning] [--offset N] [--partition P] [--count N]
                [--format '%k:%v\\n'] [--isolation read_committed]   (%k %v %h %p %o %t %T)
  krill group list | describe G | delete G
  krill group reset-offsets G --topic T --to-earliest|--to-latest|--to-offset N|--to-datetime ISO [--execute]
  krill cluster`;

const FLAGS = new Set(['json', 'all', 'from-beginning', 'execute', 'headers', 'v', 'verbose', 'to-earliest', 'to-latest']);
const REPEATED = new Set(['config']);

/** Positional arguments and options: `--name value`, `--flag`, `-v`. */
export function parseCommandArgs(argv: string[]): { positional: string[]; opts: Opts } {
  const opts: Opts = { json: false, multi: new Map(), one: new Map(), flags: new Set() };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-') {
      positional.push(a);
      continue;
    }
    const name = a.replace(/^--?/, '');
    if (FLAGS.has(name)) {
      opts.flags.add(name);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) throw new CliError(`${a} needs a value`, 2);
    if (REPEATED.has(name)) opts.multi.set(name, [...(opts.multi.get(name) ?? []), value]);
    else opts.one.set(name, value);
  }
  opts.json = opts.flags.has('json');
  return { positional, opts };
}

/** The client security a --command-config properties file asks for (security.protocol, sasl.*, ssl.*), as Kafka's tools read it. */
function commandConfig(file: string | undefined): PeerTransport | null {
  if (file === undefined) return null;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`--command-config: ${(e as Error).message}`, 2);
  }
  try {
    return clientTransport(parseProperties(text));
  } catch (e) {
    throw new CliError(`--command-config ${file}: ${(e as Error).message}`, 2);
  }
}

export async function runCommand(command: string, argv: string[]): Promise<void> {
  const { positional, opts } = parseCommandArgs(argv);
  const known = new Set(['bootstrap-server', 'command-config', 'partitions', 'replication-factor', 'key-separator', 'partition', 'partitioner', 'acks', 'compression',
    'group', 'offset', 'count', 'format', 'isolation', 'topic', 'to-offset', 'to-datetime']);
  const unknown = [...opts.one.keys()].filter((k) => !known.has(k));
  if (unknown.length > 0) throw new CliError(`unknown option --${unknown[0]}`, 2);
  validate(command, positional, opts);
  const c = await KafkaClient.connect(opts.one.get('bootstrap-server') ?? '127.0.0.1:9092', commandConfig(opts.one.get('command-config')));
  try {
    switch (command) {
      case 'cluster': return await cluster(c, opts);
      case 'topic': return await topic(c, positional[0], positional[1], opts);
      case 'group': return await group(c, positional[0], positional[1], opts);
      case 'produce':
      case 'consume': {
        if (!positional[0]) throw new CliError(`krill ${command} needs a topic`, 2);
        return await (command === 'produce' ? produce(c, positional[0], opts) : consume(c, positional[0], opts));
      }
      default: throw new CliError(`unknown command ${command}`, 2);
    }
  } finally {
    c.close();
  }
}

const ACTIONS: Record<string, { actions: string[]; unnamed: string[] } | undefined> = {
  topic: { actions: ['create', 'list', 'describe', 'alter-config', 'add-partitions', 'delete'], unnamed: ['list'] },
  group: { actions: ['list', 'describe', 'reset-offsets', 'delete'], unnamed: ['list'] },
};
const INTEGERS = ['partitions', 'replication-factor', 'partition', 'count', 'offset', 'to-offset'];

/** Arguments checked before any broker is asked: a mistake is a usage error (exit 2), wherever the broker is. */
function validate(command: string, positional: string[], opts: Opts): void {
  const spec = ACTIONS[command];
  if (spec) {
    const [action, name] = positional;
    if (!action || !spec.actions.includes(action)) throw new CliError(`no action ${action ?? ''}; ${spec.actions.join(', ')}`, 2);
    if (!name && !spec.unnamed.includes(action)) throw new CliError(`krill ${command} ${action} needs a name`, 2);
  } else if ((command === 'produce' || command === 'consume') && !positional[0]) {
    throw new CliError(`krill ${command} needs a topic`, 2);
  }
  for (const k of INTEGERS) {
    const v = opts.one.get(k);
    if (v !== undefined && !/^-?\d+$/.test(v)) throw new CliError(`--${k} expects an integer, got ${v}`, 2);
  }
}
