// Client quota entities, values and filters checked as Kafka's controller checks them, and
// the precedence by which a quota applies to a client.
import test from 'ava';
import fc from 'fast-check';
import { ClientQuotas } from '../../../src/broker/quotas/client-quotas.js';
import { applyAlterations, checkAlterations, FilterError, matches, parseFilter, type QuotaEntry } from '../../../src/broker/quotas/quota-entities.js';

const resolves = async (host: string) => host === 'localhost' || /^[\d.]+$/.test(host);
const entity = (...parts: Array<[string, string | null]>) => parts.map(([entityType, entityName]) => ({ entityType, entityName }));
const set = (key: string, value: number) => ({ key, value, remove: false });

test('alterations are refused with Kafka\'s messages, entity by entity', async (t) => {
  const checked = await checkAlterations([
    { entity: entity(['user', 'alice']), ops: [set('producer_byte_rate', 1024)] },
    { entity: [], ops: [set('producer_byte_rate', 1)] },
    { entity: entity(['group', 'g']), ops: [] },
    { entity: entity(['user', '']), ops: [] },
    { entity: entity(['user', 'u'], ['ip', '1.2.3.4']), ops: [] },
    { entity: entity(['ip', 'RFC2606.invalid']), ops: [set('connection_creation_rate', 5)] },
    { entity: entity(['client-id', 'c']), ops: [set('connection_creation_rate', 5)] },
    { entity: entity(['client-id', 'd']), ops: [set('producer_byte_rate', 0)] },
    { entity: entity(['client-id', 'e']), ops: [set('producer_byte_rate', 10.5)] },
    { entity: entity(['client-id', 'f']), ops: [set('request_percentage', 10.5)] },
    { entity: entity(['user', 'alice']), ops: [set('consumer_byte_rate', 1)] },
    { entity: entity(['user', 'x'], ['user', 'y']), ops: [] },
    { entity: entity(['ip', null]), ops: [set('connection_creation_rate', 5.5)] },
  ], resolves);
  t.deepEqual(checked.map((c) => ('error' in c.result ? c.result.error : 'ok')), [
    'ok',
    'Invalid empty client quota entity',
    'Unhandled client quota entity type: group',
    'Empty user not supported',
    'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId',
    'RFC2606.invalid is not a valid IP or resolvable host.',
    'Invalid configuration key connection_creation_rate',
    'Quota producer_byte_rate must be greater than 0',
    'producer_byte_rate cannot be a fractional value.',
    'ok',
    'Ignoring duplicate entity ClientQuotaEntity(entries={user=alice})',
    'Invalid client quota entity, duplicate entity entry user',
    'connection_creation_rate cannot be a fractional value.',
  ]);
});

test('values set and removed; an entity left with none is gone', async (t) => {
  const ok = async (e: ReturnType<typeof entity>, ops: Array<{ key: string; value: number; remove: boolean }>) => {
    const [c] = await checkAlterations([{ entity: e, ops }], resolves);
    if (!c || !('ok' in c.result)) throw new Error('refused');
    return c.result.ok;
  };
  let q: QuotaEntry[] = applyAlterations([], [await ok(entity(['client-id', 'c'], ['user', 'u']), [set('producer_byte_rate', 100), set('request_percentage', 50)])]);
  t.deepEqual(q, [{ entity: [['user', 'u'], ['client-id', 'c']], values: { producer_byte_rate: 100, request_percentage: 50 } }], 'kept in Kafka\'s order of types');
  q = applyAlterations(q, [await ok(entity(['user', 'u'], ['client-id', 'c']), [{ key: 'producer_byte_rate', value: 0, remove: true }])]);
  t.deepEqual(q[0]!.values, { request_percentage: 50 });
  q = applyAlterations(q, [await ok(entity(['user', 'u'], ['client-id', 'c']), [{ key: 'request_percentage', value: 0, remove: true }])]);
  t.deepEqual(q, []);
});

test('filters match as Kafka\'s: exact names, defaults, any name, strict', (t) => {
  const alice = [['user', 'alice']] as const;
  const aliceClient = [['user', 'alice'], ['client-id', 'c1']] as const;
  const defaultUser = [['user', null]] as const;
  const all = [alice, aliceClient, defaultUser];
  const pick = (components: Array<{ entityType: string; matchType: number; match: string | null }>, strict = false) => {
    const f = parseFilter(components, strict);
    return all.filter((e) => matches(e, f)).length;
  };
  t.is(pick([{ entityType: 'user', matchType: 0, match: 'alice' }]), 2);
  t.is(pick([{ entityType: 'user', matchType: 0, match: 'alice' }], true), 1);
  t.is(pick([{ entityType: 'user', matchType: 1, match: null }]), 1);
  t.is(pick([{ entityType: 'user', matchType: 2, match: null }]), 3);
  t.is(pick([{ entityType: 'client-id', matchType: 2, match: null }]), 1);
  t.is(pick([]), 3);
  t.is(pick([], true), 0);
  const refused = (components: Array<{ entityType: string; matchType: number; match: string | null }>) => {
    const e = t.throws(() => parseFilter(components, false), { instanceOf: FilterError });
    return `${e.code}: ${e.message}`;
  };
  t.is(refused([{ entityType: 'group', matchType: 0, match: 'g' }]), 'UNSUPPORTED_VERSION: Unsupported entity type group');
  t.is(refused([{ entityType: '', matchType: 0, match: 'g' }]), 'INVALID_REQUEST: Invalid empty entity type.');
  t.is(refused([{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 1, match: null }]), 'INVALID_REQUEST: Entity type user cannot appear more than once in the filter.');
  t.is(refused([{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'user', matchType: 1, match: null }]),
    'INVALID_REQUEST: Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
});

test('any filter or alteration is answered or refused, never thrown at (property)', async (t) => {
  const type = fc.constantFrom('user', 'client-id', 'ip', '', 'group');
  const name = fc.option(fc.string({ maxLength: 6 }), { nil: null });
  await fc.assert(fc.asyncProperty(
    fc.array(fc.record({ entityType: type, matchType: fc.integer({ min: -1, max: 3 }), match: name }), { maxLength: 4 }),
    fc.array(fc.record({ entity: fc.array(fc.record({ entityType: type, entityName: name }), { maxLength: 3 }), ops: fc.array(fc.record({ key: fc.constantFrom('producer_byte_rate', 'request_percentage', 'x'), value: fc.double(), remove: fc.boolean() }), { maxLength: 3 }) }), { maxLength: 4 }),
    async (components, entries) => {
      try {
        parseFilter(components, false);
      } catch (e) {
        t.true(e instanceof FilterError);
      }
      const checked = await checkAlterations(entries, resolves);
      t.is(checked.length, entries.length);
      applyAlterations([], checked.flatMap((c) => ('ok' in c.result ? [c.result.ok] : [])));
    },
  ), { numRuns: 300 });
});

test('the most specific entity that sets a quota applies, and picks whose rate is measured', (t) => {
  let entries: QuotaEntry[] = [];
  const q = new ClientQuotas(() => entries, { samples: 11, windowMs: 1000 });
  const client = { user: 'alice', clientId: 'app' };
  t.is(q.applied('producer_byte_rate', client), null);
  t.false(q.active);
  const steps: Array<[QuotaEntry['entity'], string]> = [
    [[['client-id', null]], '\u0000app'],
    [[['client-id', 'app']], '\u0000app'],
    [[['user', null]], 'alice\u0000'],
    [[['user', null], ['client-id', null]], 'alice\u0000app'],
    [[['user', null], ['client-id', 'app']], 'alice\u0000app'],
    [[['user', 'alice']], 'alice\u0000'],
    [[['user', 'alice'], ['client-id', null]], 'alice\u0000app'],
    [[['user', 'alice'], ['client-id', 'app']], 'alice\u0000app'],
  ];
  steps.forEach(([e, sensor], i) => {
    entries = [...entries, { entity: e, values: { producer_byte_rate: i + 1 } }];
    t.deepEqual(q.applied('producer_byte_rate', client), { bound: i + 1, sensor: `producer_byte_rate\u0000${sensor}` }, JSON.stringify(e));
  });
  t.is(q.applied('consumer_byte_rate', client), null, 'each quota type on its own');
  t.is(q.applied('producer_byte_rate', { user: 'bob', clientId: 'other' })!.bound, 4, 'another user and client: the default user with the default client');
});
