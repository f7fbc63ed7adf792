// ssl.principal.mapping.rules, as Kafka's SslPrincipalMapper reads them: a comma-separated
// list of `DEFAULT` (the distinguished name as it is) and `RULE:pattern/replacement/[LU]`
// (when the pattern matches the whole name, the name with the replacement, optionally
// lower- or upper-cased). The first rule that applies names the principal; a certificate
// no rule applies to is refused. Patterns run on RE2 (linear time), not the JVM's regex.
import { RE2JS } from 're2js';
import { ConfigError } from '../config.js';

const RULE = String.raw`(DEFAULT)|RULE:((?:\\.|[^\\/])*)/((?:\\.|[^\\/])*)/([LU]?).*?|(.*?)`;
const SPLITTER = new RegExp(String.raw`\s*(` + RULE + String.raw`)\s*(?:,\s*|$)`, 'g');
const PARSER = new RegExp(`^(?:${RULE})`);

type Rule = { kind: 'default' } | { kind: 'rule'; pattern: RE2JS; replacement: string; toLower: boolean; toUpper: boolean };

/** Maps a distinguished name to its principal name, or null when no rule applies. */
export type PrincipalMapper = (distinguishedName: string) => string | null;

export function principalMapper(rules: string | null): PrincipalMapper {
  const parsed = (rules === null ? ['DEFAULT'] : splitRules(rules)).flatMap(parseRule);
  return (dn) => {
    for (const r of parsed) {
      if (r.kind === 'default') return dn;
      const m = r.pattern.matcher(dn);
      if (!m.matches()) continue;
      const name = m.replaceAll(r.replacement);
      return r.toLower ? name.toLowerCase() : r.toUpper ? name.toUpperCase() : name;
    }
    return null;
  };
}

function splitRules(rules: string): string[] {
  const out: string[] = [];
  const text = rules.trim();
  SPLITTER.lastIndex = 0;
  for (let m = SPLITTER.exec(text); m !== null && m[0] !== ''; m = SPLITTER.exec(text)) out.push(m[1]!);
  // A last empty match ends the list (the splitter matches "" at the end).
  return out;
}

function parseRule(rule: string): Rule[] {
  const m = PARSER.exec(rule);
  if (!m) throw new ConfigError(`ssl.principal.mapping.rules: Invalid rule: ${rule}`);
  if (m[0].length !== rule.length) throw new ConfigError(`ssl.principal.mapping.rules: Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``);
  if (m[1] !== undefined) return [{ kind: 'default' }];
  if (m[2] === undefined) return []; // an empty rule is ignored
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(m[2]);
  } catch (e) {
    throw new ConfigError(`ssl.principal.mapping.rules: Invalid rule: ${rule}: ${(e as Error).message}`);
  }
  return [{ kind: 'rule', pattern, replacement: m[3]!, toLower: m[4] === 'L', toUpper: m[4] === 'U' }];
}
