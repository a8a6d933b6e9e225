import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a Chatwoot URL may not resolve to when CHATWOOT_ALLOW_PRIVATE_URLS=false: whatever
 * would let a caller of the bridge probe the bridge's own host or network (SSRF), including the
 * cloud metadata endpoint 169.254.169.254 (inside link-local).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, private in practice
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local (includes AWS's fd00:ec2::254 metadata)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True when a resolved address is loopback, private, link-local, unique-local, metadata or similar. */
export function isDisallowedAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family !== 6) return true;
  const embedded = embeddedIpv4(ip);
  if (embedded) return blocked.check(embedded, 'ipv4');
  return blocked.check(ip, 'ipv6');
}

/**
 * The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible or NAT64 (64:ff9b::)
 * IPv6 address: those reach the IPv4 host, so the IPv4 rules decide.
 */
function embeddedIpv4(ip: string): string | null {
  const groups = expandIpv6(ip);
  if (!groups) return null;
  const high = groups.slice(0, 6);
  const mapped = high.slice(0, 5).every((g) => g === 0) && (high[5] === 0xffff || high[5] === 0);
  const nat64 = high[0] === 0x64 && high[1] === 0xff9b && high.slice(2).every((g) => g === 0);
  // `::` and `::1` are IPv6 addresses of their own, handled by the IPv6 list.
  if (!mapped && !nat64) return null;
  if (mapped && high[5] === 0 && groups[6] === 0) return null;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

function expandIpv6(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const fill = text.includes('::') ? 8 - left.length - right.length : 0;
  const groups = [...left, ...new Array<number>(Math.max(fill, 0)).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/** Raised before any connection when the policy refuses every way to reach a host. */
export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTALLOWED';

  constructor(
    readonly hostname: string,
    readonly address: string,
  ) {
    super(
      hostname === address
        ? `address ${address} is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)`
        : `${hostname} resolves to ${address}, which is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)`,
    );
    this.name = 'AddressNotAllowedError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => void;

/**
 * A `lookup` for http.request that refuses the host when ANY of its addresses is disallowed. Inside
 * the connection's own lookup, so that no DNS answer can change between the check and the connect.
 */
export function restrictedLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { all: true, family: options.family as number | undefined }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => isDisallowedAddress(a.address));
      if (bad) return callback(new AddressNotAllowedError(hostname, bad.address), []);
      if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
