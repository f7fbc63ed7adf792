// Krill's optional native addons (the packages under native/): npm builds them where there
// is a compiler and a CPU they serve, and each caller has a portable way where they are not.
// KRILL_ADDONS chooses which may load, so `make bench` can measure what each is worth:
// unset, every one built; `none`, none; else a comma-separated list of names (`crc32c`).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const allowed = process.env.KRILL_ADDONS === undefined ? null : new Set(process.env.KRILL_ADDONS.split(',').map((s) => s.trim()));

/** The addon package `krill-<name>`, or null where it was not built, does not load here, or KRILL_ADDONS leaves it out. */
export function optionalAddon<T>(name: string): T | null {
  if (allowed !== null && !allowed.has(name)) return null;
  try {
    return require(`krill-${name}`) as T;
  } catch {
    return null;
  }
}
