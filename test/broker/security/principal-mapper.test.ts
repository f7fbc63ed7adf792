// ssl.principal.mapping.rules as Kafka's SslPrincipalMapper reads and applies them (its
// own test cases), and no rule text crashes the parser or the mapper (property).
import test from 'ava';
import fc from 'fast-check';
import { ConfigError } from '../../../src/broker/config.js';
import { principalMapper } from '../../../src/broker/security/principal-mapper.js';

test('rules Kafka accepts, and those it refuses', (t) => {
  for (const rules of ['DEFAULT', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, DEFAULT',
    'RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/', 'RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/L', 'RULE:^cn=(.?),ou=(.?),dc=(.?),dc=(.?)$/$1@$2/U']) {
    t.notThrows(() => principalMapper(rules), rules);
  }
  for (const rules of ['default', 'DEFAUL', 'DEFAULT/L', 'DEFAULT/U', 'RULE:CN=(.*?),OU=ServiceUsers.*/$1', 'rule:^CN=(.*?),OU=ServiceUsers.*$/$1/',
    'RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L/U', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/L', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/U', 'RULE:^CN=(.*?),OU=ServiceUsers.*$/LU']) {
    t.throws(() => principalMapper(rules), { instanceOf: ConfigError, message: /Invalid rule/ }, rules);
  }
});

test('the first rule that matches names the principal, lower- or upper-cased; DEFAULT keeps the name; none: null', (t) => {
  const map = principalMapper('RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/L, RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L, '
    + 'RULE:^cn=(.*?),ou=(.*?),dc=(.*?),dc=(.*?)$/$1@$2/U, RULE:^.*[Cc][Nn]=([a-zA-Z0-9.]*).*$/$1/U, DEFAULT');
  t.is(map('CN=Duke,OU=ServiceUsers,O=Org,C=US'), 'duke');
  t.is(map('CN=Duke,OU=SME,O=mycp,L=Fulton,ST=MD,C=US'), 'duke@sme');
  t.is(map('cn=duke,ou=sme,dc=mycp,dc=com'), 'DUKE@SME');
  t.is(map('cN=duke,OU=JavaSoft,O=Sun Microsystems'), 'DUKE');
  t.is(map('OU=JavaSoft,O=Sun Microsystems,C=US'), 'OU=JavaSoft,O=Sun Microsystems,C=US');
  t.is(principalMapper(null)('CN=alice,O=krill'), 'CN=alice,O=krill', 'no rules: DEFAULT');
  t.is(principalMapper('RULE:^CN=bob$/bob/')('CN=alice'), null, 'no rule applies');
});

test('no rule text crashes the parser, and no name crashes a mapper (property)', (t) => {
  const piece = fc.constantFrom('RULE:', 'DEFAULT', '/', '$1', '(.*)', '^CN=', ',', ' ', 'L', 'U', '\\', '[', '*', 'a');
  fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), fc.string({ maxLength: 20 }), (rules, dn) => {
    let map;
    try {
      map = principalMapper(rules);
    } catch (e) {
      t.true(e instanceof ConfigError, String(e));
      return;
    }
    const name = map(dn);
    t.true(name === null || typeof name === 'string');
  }), { numRuns: 500 });
});
