// A listener's own configs as Kafka reads them: `listener.name.<listener>.<config>` (the
// listener's name lower-cased) wins over the broker-wide `<config>`.

interface Configs {
  get(name: string): string | null;
}

/** The name a listener's own value of `config` is kept under. */
export const listenerKey = (listener: string, config: string): string => `listener.name.${listener.toLowerCase()}.${config}`;

/** The listener's value of `config`, else the broker-wide `fallback` (by default the same name). */
export function listenerConfig(config: Configs, listener: string, name: string, fallback = name): string | null {
  return config.get(listenerKey(listener, name)) ?? config.get(fallback);
}
