// Kafka's ACL semantics on in-memory bindings: filters (ANY, MATCH, LITERAL, PREFIXED),
// what CreateAcls refuses, what DeleteAcls removes, and the authorizer's decisions (DENY
// wins, implied operations, wildcards, super users, allow.everyone.if.no.acl.found).
import test from 'ava';
import fc from 'fast-check';
import { type AclBinding, type AclFilter, AclOperation, AclPermission, filterMatches, PatternType, ResourceType } from '../../../src/broker/security/acl.js';
import { createAcls, deleteAcls, describeAcls } from '../../../src/broker/security/acl-admin.js';
import { Authorizer, type Session, sessionOf } from '../../../src/broker/security/authorizer.js';
import { ErrorCode } from '../../../src/protocol/errors.js';

const bind = (b: Partial<AclBinding>): AclBinding => ({
  resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.LITERAL,
  principal: 'User:alice', host: '*', operation: AclOperation.READ, permissionType: AclPermission.ALLOW, ...b,
});
const ANY: AclFilter = { resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY };
const configs = (c: Record<string, string>) => ({ get: (name: string) => c[name] ?? null });
const authorizer = (acls: AclBinding[], extra: Record<string, string> = {}) =>
  new Authorizer(configs({ 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin;User:CN=ops,O=krill', ...extra }), () => acls);
const alice: Session = { principal: 'User:alice', host: '10.0.0.1' };

test('filters match as AclBindingFilter does: ANY, MATCH (literal, wildcard, prefixes), exact pattern types', (t) => {
  const literal = bind({});
  const wildcard = bind({ resourceName: '*' });
  const prefixed = bind({ resourceName: 'ord', patternType: PatternType.PREFIXED });
  const other = bind({ resourceName: 'payments' });
  const match = { ...ANY, resourceType: ResourceType.TOPIC, resourceName: 'orders', patternType: PatternType.MATCH };
  t.deepEqual([literal, wildcard, prefixed, other].map((b) => filterMatches(match, b)), [true, true, true, false]);
  const exact = { ...ANY, resourceName: 'orders', patternType: PatternType.LITERAL };
  t.deepEqual([literal, wildcard, prefixed, other].map((b) => filterMatches(exact, b)), [true, false, false, false]);
  const anyPattern = { ...ANY, resourceName: 'ord' };
  t.deepEqual([literal, prefixed].map((b) => filterMatches(anyPattern, b)), [false, true], 'ANY pattern type with a name: that exact name');
  t.false(filterMatches({ ...ANY, principal: 'User:bob' }, literal));
  t.false(filterMatches({ ...ANY, operation: AclOperation.WRITE }, literal));
  t.true(filterMatches({ ...ANY, permissionType: AclPermission.ALLOW, host: '*' }, literal));
});

test('CreateAcls refuses what Kafka refuses, keeps the rest once; DeleteAcls lists and removes every match', (t) => {
  const { results, next } = createAcls([bind({})], [
    bind({}),
    bind({ operation: AclOperation.WRITE }),
    bind({ resourceType: ResourceType.CLUSTER, resourceName: 'other' }),
    bind({ resourceName: '' }),
    bind({ patternType: PatternType.MATCH }),
    bind({ operation: AclOperation.ANY }),
    bind({ permissionType: AclPermission.ANY }),
    bind({ principal: 'alice' }),
    bind({ resourceType: ResourceType.ANY }),
  ]);
  t.deepEqual(results.map((r) => r.errorMessage), [
    null, null,
    'The only valid name for the CLUSTER resource is kafka-cluster',
    'Invalid empty resource name',
    'Invalid patternType MATCH',
    'Invalid operation ANY',
    'Invalid permissionType ANY',
    'Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)',
    'Invalid resourceType ANY',
  ]);
  t.true(results.slice(2).every((r) => r.errorCode === ErrorCode.INVALID_REQUEST));
  t.is(next!.length, 2, 'an existing binding is not added twice');
  t.is(createAcls(next!, [bind({})]).next, null, 'nothing new: nothing to write');

  const del = deleteAcls(next!, [{ ...ANY, operation: AclOperation.WRITE }, { ...ANY, principal: 'User:alice' }]);
  t.is(del.matches[0]!.length, 1);
  t.is(del.matches[1]!.length, 2, 'a binding two filters match is listed under both');
  t.deepEqual(del.next, []);
  t.is(deleteAcls(next!, [{ ...ANY, principal: 'User:nobody' }]).next, null);

  const described = describeAcls([bind({}), bind({ operation: AclOperation.WRITE }), bind({ resourceName: 'p', patternType: PatternType.PREFIXED })], ANY);
  t.deepEqual(described.map((r) => [r.resourceName, r.patternType, r.acls.length]), [['orders', PatternType.LITERAL, 2], ['p', PatternType.PREFIXED, 1]]);
});

test('the authorizer: DENY beats ALLOW, prefixes and wildcards apply, READ implies DESCRIBE, super users pass', (t) => {
  const acls = [
    bind({ operation: AclOperation.READ }),
    bind({ resourceName: 'pay', patternType: PatternType.PREFIXED, operation: AclOperation.ALL }),
    bind({ resourceName: 'payments-secret', operation: AclOperation.READ, permissionType: AclPermission.DENY }),
    bind({ resourceName: '*', principal: 'User:*', operation: AclOperation.ALTER_CONFIGS }),
    bind({ resourceType: ResourceType.GROUP, resourceName: 'g', host: '10.0.0.2' }),
  ];
  const a = authorizer(acls);
  const can = (op: number, name: string, type: number = ResourceType.TOPIC, s = alice) => a.authorize(s, op as 3, type as 2, name);
  t.true(can(AclOperation.READ, 'orders'));
  t.true(can(AclOperation.DESCRIBE, 'orders'), 'READ implies DESCRIBE');
  t.false(can(AclOperation.WRITE, 'orders'));
  t.true(can(AclOperation.WRITE, 'payments'), 'a prefixed ALL');
  t.false(can(AclOperation.READ, 'payments-secret'), 'a literal DENY beats a prefixed ALLOW');
  t.true(can(AclOperation.WRITE, 'payments-secret'), 'the DENY names READ only');
  t.true(can(AclOperation.DESCRIBE_CONFIGS, 'anything', ResourceType.TOPIC, { principal: 'User:bob', host: 'h' }), 'ALTER_CONFIGS implies DESCRIBE_CONFIGS, for User:* on *');
  t.false(can(AclOperation.READ, 'g', ResourceType.GROUP), 'the host must match');
  t.true(can(AclOperation.READ, 'g', ResourceType.GROUP, { principal: 'User:alice', host: '10.0.0.2' }));
  t.true(can(AclOperation.DELETE, 'anything', ResourceType.CLUSTER, { principal: 'User:CN=ops,O=krill', host: 'h' }), 'a super user named by certificate subject');
  t.false(can(AclOperation.READ, 'nothing-named', ResourceType.GROUP), 'no ACL: denied by default');
  t.true(authorizer(acls, { 'allow.everyone.if.no.acl.found': 'true' }).authorize(alice, AclOperation.READ, ResourceType.GROUP, 'nothing-named'));
  t.false(authorizer(acls, { 'allow.everyone.if.no.acl.found': 'true' }).authorize(alice, AclOperation.READ, ResourceType.GROUP, 'g'), 'a resource with ACLs is not open to everyone');
  t.is(a.authorizedOperations(alice, ResourceType.TOPIC, 'orders'), (1 << AclOperation.READ) | (1 << AclOperation.DESCRIBE) | (1 << AclOperation.DESCRIBE_CONFIGS) | (1 << AclOperation.ALTER_CONFIGS));
  t.true(a.authorizeAny(alice, AclOperation.WRITE, ResourceType.TOPIC), 'some topic alice may write');
  t.false(authorizer([bind({ operation: AclOperation.WRITE }), bind({ resourceName: '*', operation: AclOperation.WRITE, permissionType: AclPermission.DENY })]).authorizeAny(alice, AclOperation.WRITE, ResourceType.TOPIC));
  t.true(new Authorizer(configs({}), () => []).authorize(alice, AclOperation.ALTER, ResourceType.CLUSTER, 'kafka-cluster'), 'no authorizer: everything allowed');
  t.throws(() => new Authorizer(configs({ 'authorizer.class.name': 'com.example.Custom' }), () => []), { message: /not served/ });
});

test('a connection\'s session: User: and its name; the host is the client\'s address without the port', (t) => {
  t.deepEqual(sessionOf({ principal: 'alice', remoteAddress: '10.0.0.1:51234' }), { principal: 'User:alice', host: '10.0.0.1' });
  t.is(sessionOf({ principal: 'ANONYMOUS', remoteAddress: '::ffff:127.0.0.1:9' }).host, '127.0.0.1');
  t.is(sessionOf({ principal: 'ANONYMOUS', remoteAddress: '::1:9' }).host, '::1');
  const a = authorizer([bind({ host: '10.0.0.1' })]);
  t.true(a.access({ principal: 'alice', remoteAddress: '10.0.0.1:4000' }).topic(AclOperation.READ, 'orders'));
  t.false(a.access({ principal: 'alice', remoteAddress: '10.0.0.2:4000' }).topic(AclOperation.READ, 'orders'), 'another host');
  const open = new Authorizer(configs({}), () => []).access({ principal: 'x', remoteAddress: 'unknown peer' });
  t.true(open.cluster(AclOperation.ALTER));
  // Kafka's AclEntry.supportedOperations(GROUP): group configs (KIP-848) added DESCRIBE_CONFIGS and ALTER_CONFIGS.
  t.is(open.operations(ResourceType.GROUP, 'g'), [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS].reduce((bits, op) => bits | (1 << op), 0));
});

const code = (codes: Record<string, number>) => fc.constantFrom(...Object.values(codes));
const bindings = fc.record({
  resourceType: code(ResourceType), resourceName: fc.constantFrom('a', 'ab', '*', '', 'kafka-cluster'), patternType: code(PatternType),
  principal: fc.constantFrom('User:a', 'User:*', 'a'), host: fc.constantFrom('*', 'h'), operation: code(AclOperation), permissionType: code(AclPermission),
});

test('whatever is created is described by the ANY filter and removed by it; the authorizer never throws (property)', (t) => {
  fc.assert(fc.property(fc.array(bindings, { maxLength: 12 }), fc.constantFrom('a', 'ab', 'b'), (creations, name) => {
    const { results, next } = createAcls([], creations);
    const kept = next ?? [];
    t.is(results.filter((r) => r.errorCode === ErrorCode.NONE).length >= kept.length, true);
    t.is(describeAcls(kept, ANY).reduce((n, r) => n + r.acls.length, 0), kept.length);
    t.deepEqual(deleteAcls(kept, [ANY]).next ?? [], []);
    const a = authorizer(kept);
    for (const op of [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.ALL]) a.authorize({ principal: 'User:a', host: 'h' }, op, ResourceType.TOPIC, name);
  }), { numRuns: 300 });
});
