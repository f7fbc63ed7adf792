// JAAS configuration entries as Kafka reads them (sasl.jaas.config and
// listener.name.<listener>.<mechanism>.sasl.jaas.config):
//   org.apache.kafka.common.security.plain.PlainLoginModule required username="admin"
//     password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";
// One login module, its control flag, and its options (quoted or bare values).
import { ConfigError } from '../config.js';

export interface JaasEntry {
  loginModule: string;
  options: Record<string, string>;
}

export function parseJaas(text: string): JaasEntry {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\s*([\s\S]*?)\s*;\s*$/.exec(text);
  if (!m) throw new ConfigError(`not a JAAS configuration entry (LoginModule flag options...;): ${text.slice(0, 80)}`);
  const options: Record<string, string> = {};
  const option = /([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s";]+))/g;
  let rest = m[3]!;
  for (let o = option.exec(rest); o; o = option.exec(rest)) options[o[1]!] = o[2] !== undefined ? o[2].replace(/\\(.)/g, '$1') : o[3]!;
  rest = rest.replace(option, '').trim();
  if (rest !== '') throw new ConfigError(`JAAS options must be name=value or name="value", got ${rest.slice(0, 40)}`);
  return { loginModule: m[1]!, options };
}

/** The users a PlainLoginModule entry declares (user_<name>="<password>"). */
export function plainUsers(entry: JaasEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [k, v] of Object.entries(entry.options)) if (k.startsWith('user_')) users.set(k.slice('user_'.length), v);
  return users;
}
