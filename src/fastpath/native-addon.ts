// Krill's optional native addons (the packages under native/): npm builds them where there
// is a compiler and a CPU they serve, and each caller has a portable way where they are not.
// KRILL_ADDONS=none runs without them, so `make bench` can measure what they are worth.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const disabled = process.env.KRILL_ADDONS === 'none';

/** The addon package `name`, or null where it was not built, does not load here, or addons are turned off. */
export function optionalAddon<T>(name: string): T | null {
  if (disabled) return null;
  try {
    return require(name) as T;
  } catch {
    return null;
  }
}
