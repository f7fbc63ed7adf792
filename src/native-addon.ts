// Krill's optional native addons (the packages under native/): npm builds them where there
// is a compiler and a CPU they serve, and each caller has a portable way where they are not.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The addon package `name`, or null where it was not built or does not load here. */
export function optionalAddon<T>(name: string): T | null {
  try {
    return require(name) as T;
  } catch {
    return null;
  }
}
