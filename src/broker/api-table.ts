// The APIs this broker serves, by key, and the version ranges ApiVersions advertises.
import type { Api } from './api.js';
import type { ApiVersionRange } from './services.js';

export class ApiTable {
  private readonly byKey: ReadonlyMap<number, Api>;
  /** Ascending by key: every client asks for it first on every connection. */
  readonly versions: readonly ApiVersionRange[];

  constructor(apis: readonly Api[]) {
    this.byKey = new Map(apis.map((a) => [a.apiKey, a]));
    this.versions = [...apis].sort((a, b) => a.apiKey - b.apiKey).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  }

  get(apiKey: number): Api | undefined {
    return this.byKey.get(apiKey);
  }
}
