#!/usr/bin/env node
// Derives Krill's protocol declarations from Apache Kafka's JSON, vendored in spec/:
//   spec/messages/<Name>{Request,Response}.json -> src/protocol/messages/NN-name.ts + index.ts
//   spec/records/<coordinator>/*.json            -> src/protocol/coordinator/<coordinator>.ts
// The output is committed; `make protocol` writes it again, and `--check` (run by
// `make test`) fails when what is committed differs from what the spec gives.
// Usage: node scripts/gen-protocol.mjs [--check]
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const specDir = path.join(root, 'spec');
const check = process.argv.includes('--check');

// The API keys Krill serves; anything else is answered as unsupported.
const SERVED = [
  'Produce', 'Fetch', 'ListOffsets', 'Metadata', 'OffsetCommit', 'OffsetFetch',
  'FindCoordinator', 'JoinGroup', 'Heartbeat', 'LeaveGroup', 'SyncGroup', 'DescribeGroups',
  'ListGroups', 'ApiVersions', 'CreateTopics', 'DeleteTopics', 'DeleteRecords',
  'InitProducerId', 'OffsetForLeaderEpoch', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'WriteTxnMarkers',
  'TxnOffsetCommit', 'DescribeConfigs', 'AlterConfigs',
  'DescribeLogDirs', 'CreatePartitions', 'ElectLeaders', 'DeleteGroups', 'IncrementalAlterConfigs', 'OffsetDelete', 'DescribeCluster',
  'DescribeProducers', 'DescribeTransactions', 'ListTransactions', 'DescribeTopicPartitions',
  'ConsumerGroupHeartbeat', 'ConsumerGroupDescribe', 'DescribeClientQuotas', 'AlterClientQuotas',
  'UpdateFeatures', 'AlterPartitionReassignments', 'ListPartitionReassignments',
  'GetTelemetrySubscriptions', 'PushTelemetry', 'ListConfigResources', 'AlterReplicaLogDirs',
  'DescribeAcls', 'CreateAcls', 'DeleteAcls',
  'DescribeUserScramCredentials', 'AlterUserScramCredentials', 'SaslHandshake', 'SaslAuthenticate',
];

// The coordinators' record formats in their internal topics, by folder of spec/records.
const RECORDS = {
  'group-coordinator': ['OffsetCommitKey', 'OffsetCommitValue', 'GroupMetadataKey', 'GroupMetadataValue',
    'ConsumerGroupMetadataKey', 'ConsumerGroupMetadataValue', 'ConsumerGroupMemberMetadataKey', 'ConsumerGroupMemberMetadataValue',
    'ConsumerGroupTargetAssignmentMemberKey', 'ConsumerGroupTargetAssignmentMemberValue', 'ConsumerGroupTargetAssignmentMetadataKey',
    'ConsumerGroupTargetAssignmentMetadataValue', 'ConsumerGroupCurrentMemberAssignmentKey', 'ConsumerGroupCurrentMemberAssignmentValue'],
  'transaction-coordinator': ['TransactionLogKey', 'TransactionLogValue'],
  // Not a coordinator's: the consumer protocol's bytes inside JoinGroup and SyncGroup.
  'consumer-protocol': ['ConsumerProtocolSubscription', 'ConsumerProtocolAssignment'],
};

const MAX = 32767;

function readSpec(file) {
  const text = fs.readFileSync(path.join(specDir, file), 'utf8');
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, ''));
}

function range(s) {
  if (s === undefined || s === 'none') return null;
  if (s.endsWith('+')) return [Number(s.slice(0, -1)), MAX];
  if (s.includes('-')) { const [a, b] = s.split('-').map(Number); return [a, b]; }
  return [Number(s), Number(s)];
}

const camel = (n) => n[0].toLowerCase() + n.slice(1);
const PRIMS = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'uuid', 'records']);

function defaultFor(f, type) {
  const d = f.default;
  if (d === undefined) return undefined;
  if (d === 'null') return null;
  if (type === 'bool') return d === 'true' || d === true;
  if (type === 'string') return String(d);
  if (/^int|^uint|^float/.test(type)) return Number(d);
  return undefined;
}

function convertFields(fields, common) {
  return fields.map((f) => {
    let type = f.type;
    let isArray = false;
    if (type.startsWith('[]')) { isArray = true; type = type.slice(2); }
    const out = { name: camel(f.name), type: PRIMS.has(type) ? type : 'struct' };
    if (isArray) out.array = true;
    // A tagged field with no versions of its own exists in the versions it is tagged in (Kafka's FieldSpec).
    out.versions = range(f.versions ?? f.taggedVersions);
    const nv = range(f.nullableVersions); if (nv) out.nullableVersions = nv;
    const tv = range(f.taggedVersions); if (tv) { out.taggedVersions = tv; out.tag = f.tag; }
    if (out.type === 'struct') {
      const sub = f.fields ?? common.get(type);
      if (!sub) throw new Error(`unknown struct ${type}`);
      out.fields = convertFields(sub, common);
    } else {
      const d = defaultFor(f, type);
      if (d !== undefined) out.default = d;
    }
    return out;
  });
}

/**
 * The TypeScript type of a field. A message the broker writes (a response, a record) must
 * name every field that all its versions carry and that has no default of its own, so a
 * handler that forgets an error code does not compile; fields only some versions carry,
 * tagged fields and fields with a default may be left out and are written as their
 * defaults. A message the broker reads has every field: the decoder fills them all.
 */
function tsType(f, mode, valid) {
  let t;
  if (f.type === 'struct') t = tsStruct(f.fields, mode, valid);
  else t = ({ bool: 'boolean', string: 'string', bytes: 'Buffer', uuid: 'string', records: 'Records',
    int64: 'number' })[f.type] ?? 'number';
  // What the broker writes it only reads: a handler may hand over an array it keeps (ApiVersions' list).
  if (f.array) t = mode === 'write' ? `ReadonlyArray<${t}>` : f.type === 'struct' ? `Array<${t}>` : `${t}[]`;
  if (f.nullableVersions) t = `${t} | null`;
  return t;
}
function optional(f, mode, valid) {
  if (mode === 'read') return false;
  const everyVersion = f.versions[0] <= valid[0] && f.versions[1] >= valid[1];
  return f.taggedVersions !== undefined || f.default !== undefined || !everyVersion;
}
function tsStruct(fields, mode, valid) {
  return `{ ${fields.map((f) => `${f.name}${optional(f, mode, valid) ? '?' : ''}: ${tsType(f, mode, valid)}`).join('; ')} }`;
}

function commonStructs(spec) {
  const m = new Map();
  for (const s of spec.commonStructs ?? []) m.set(s.name, s.fields);
  return m;
}

function schemaLiteral(spec) {
  const fields = convertFields(spec.fields, commonStructs(spec));
  return { fields, schema: {
    // A record key with no apiKey (the transaction log's) is prefixed with its version, 0.
    apiKey: spec.apiKey ?? 0,
    name: spec.name,
    validVersions: range(spec.validVersions),
    flexibleVersions: range(spec.flexibleVersions),
    fields,
  } };
}

const usesRecords = (fields) => fields.some(function has(f) { return f.type === 'records' || (f.fields ?? []).some(has); });
const fileName = (name) => name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

/** Every generated file, by path, with its text. */
const out = new Map();
const emit = (rel, text) => out.set(path.join(root, rel), text);

const index = [];
for (const name of SERVED) {
  const req = readSpec(`messages/${name}Request.json`);
  const res = readSpec(`messages/${name}Response.json`);
  const r = schemaLiteral(req);
  const s = schemaLiteral(res);
  const valid = r.schema.validVersions;
  const key = String(req.apiKey).padStart(2, '0');
  const file = `${key}-${fileName(name)}`;
  emit(`src/protocol/messages/${file}.ts`, `// Generated by scripts/gen-protocol.mjs from Apache Kafka's ${name}Request.json and
// ${name}Response.json (spec/messages). Do not edit by hand: change the generator or the spec and run \`make protocol\`.
import type { MessageSchema${usesRecords([...r.fields, ...s.fields]) ? ', Records' : ''} } from '../schema.js';

export interface ${name}Request ${tsStruct(r.fields, 'read', valid)}

export interface ${name}Response ${tsStruct(s.fields, 'write', valid)}

export const ${camel(name)}Request: MessageSchema<${name}Request> = ${JSON.stringify(r.schema)};

export const ${camel(name)}Response: MessageSchema<${name}Response> = ${JSON.stringify(s.schema)};
`);
  index.push({ key: req.apiKey, name, file });
}
index.sort((a, b) => a.key - b.key);
emit('src/protocol/messages/index.ts', `// Generated by scripts/gen-protocol.mjs: every API key Krill declares, by key.
${index.map((e) => `export * from './${e.file}.js';`).join('\n')}
${index.map((e) => `import { ${camel(e.name)}Request, ${camel(e.name)}Response, type ${e.name}Request, type ${e.name}Response } from './${e.file}.js';`).join('\n')}
import type { MessageSchema } from '../schema.js';

/** Each API key's request and response types: what a handler of that key takes and gives. */
export interface ApiMessages {
${index.map((e) => `  ${e.key}: { request: ${e.name}Request; response: ${e.name}Response };`).join('\n')}
}

export type ApiKey = keyof ApiMessages;
export type RequestOf<K extends ApiKey> = ApiMessages[K]['request'];
export type ResponseOf<K extends ApiKey> = ApiMessages[K]['response'];

export interface ApiSchemas<K extends ApiKey> {
  readonly request: MessageSchema<RequestOf<K>>;
  readonly response: MessageSchema<ResponseOf<K>>;
}

/** The schemas of each API key, typed by key. */
export const apiSchemas: { readonly [K in ApiKey]: ApiSchemas<K> } = {
${index.map((e) => `  ${e.key}: { request: ${camel(e.name)}Request, response: ${camel(e.name)}Response },`).join('\n')}
};

/** Every API key Krill declares, ascending. */
export const apiKeys: readonly ApiKey[] = [${index.map((e) => e.key).join(', ')}];
`);

for (const [folder, names] of Object.entries(RECORDS)) {
  const parts = names.map((name) => {
    const spec = readSpec(`records/${folder}/${name}.json`);
    const r = schemaLiteral(spec);
    return `/** ${spec.type} ${spec.apiKey}, versions ${spec.validVersions}. */
export interface ${name} ${tsStruct(r.fields, 'write', r.schema.validVersions)}

export const ${camel(name)}: MessageSchema<${name}> = ${JSON.stringify(r.schema)};
`;
  });
  emit(`src/protocol/coordinator/${folder}.ts`, `// Generated by scripts/gen-protocol.mjs from Apache Kafka's record declarations in
// spec/records/${folder}. Do not edit by hand: change the generator or the spec and run \`make protocol\`.
// A record's key is its type's apiKey (or, with none, its version 0) as an int16, then the
// key's fields (version 0); its value is the value's version as an int16, then the value's
// fields at that version.
import type { MessageSchema } from '../schema.js';

${parts.join('\n')}`);
}

if (check) {
  const stale = [...out].filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
  if (stale.length > 0) {
    console.error(`generated protocol code differs from spec/ (run \`make protocol\`):\n${stale.map(([f]) => `  ${path.relative(root, f)}`).join('\n')}`);
    process.exit(1);
  }
  console.log(`protocol code matches spec/ (${out.size} files)`);
} else {
  for (const [file, text] of out) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(`wrote ${out.size} files from spec/`);
}
