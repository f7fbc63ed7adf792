// A client's address as a connection names it (`ip:port`), split the way Kafka sees it: an
// IPv4 client of a dual-stack socket (`::ffff:a.b.c.d`) is plain `a.b.c.d`, as Java's
// InetAddress gives it to limits, ACL hosts, group members and telemetry matches alike.

/** `::ffff:a.b.c.d` as `a.b.c.d`; any other address as it is. */
export const plainAddress = (ip: string): string => (ip.startsWith('::ffff:') ? ip.slice(7) : ip);

/** The ip (plain) and port of `ip:port`; an address without a port (`unknown peer`) is all ip. */
export function splitAddress(address: string): { ip: string; port: string } {
  const m = /^(.*):(\d+)$/.exec(address);
  return m ? { ip: plainAddress(m[1]!), port: m[2]! } : { ip: plainAddress(address), port: '' };
}
