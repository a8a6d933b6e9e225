import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * The address policy of every URL the server fetches for a tenant (SPEC §1 `CHATWOOT_ALLOWED_HOSTS`:
 * Chatwoot base URLs in the bridge role, `mediaUrl`s in the api role). Public addresses only, unless
 * the operator opens specific hosts, addresses or ranges; link-local and cloud-metadata addresses
 * never. Without it, any account holder could scan the server's own network (SSRF).
 */

/** What CHATWOOT_ALLOWED_HOSTS (and the deprecated CHATWOOT_ALLOW_PRIVATE_URLS=true) opens. */
export interface AllowedHosts {
  /** Host names, lower case, without a trailing dot: allowed whatever they resolve to (except `never`). */
  hostnames: string[];
  /** Addresses and CIDR ranges. */
  networks: Array<{ address: string; prefix: number; family: 'ipv4' | 'ipv6' }>;
  /** CHATWOOT_ALLOW_PRIVATE_URLS=true (deprecated): every private or local address, as before. */
  allPrivate: boolean;
}

export const NO_ALLOWED_HOSTS: AllowedHosts = { hostnames: [], networks: [], allPrivate: false };

/** Refused whatever the configuration says: they reach the host itself or a cloud's instance metadata. */
const never = new BlockList();
never.addSubnet('169.254.0.0', 16, 'ipv4'); // link-local, 169.254.169.254 (AWS, GCP, Azure, OCI metadata)
never.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
never.addSubnet('fe80::', 10, 'ipv6'); // link-local
never.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6

/** Not public: refused unless allowed. */
const notPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT, private in practice
  ['127.0.0.0', 8], // loopback
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  notPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  notPublic.addSubnet(net, prefix, 'ipv6');
}

export type AddressVerdict = 'public' | 'allowed' | 'private' | 'never';

/**
 * The address a connection to `address` really reaches, as Node's BlockList wants it: the IPv4
 * address inside an IPv4-mapped (`::ffff:0:0/96`), IPv4-translated (`::ffff:0:0:0/96`),
 * IPv4-compatible or NAT64 (`64:ff9b::/96`) IPv6 address, since those reach the IPv4 host; null
 * for what is not an IP address.
 */
export function canonicalAddress(address: string): { ip: string; family: 'ipv4' | 'ipv6' } | null {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return { ip, family: 'ipv4' };
  if (family !== 6) return null;
  const embedded = embeddedIpv4(ip);
  return embedded ? { ip: embedded, family: 'ipv4' } : { ip, family: 'ipv6' };
}

function embeddedIpv4(ip: string): string | null {
  const g = expandIpv6(ip);
  if (!g) return null;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const mapped = zero(0, 5) && g[5] === 0xffff;
  const translated = zero(0, 4) && g[4] === 0xffff && g[5] === 0;
  // `::` and `::1` are IPv6 addresses of their own, handled by the IPv6 list.
  const compatible = zero(0, 6) && g[6] !== 0;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6);
  if (!mapped && !translated && !compatible && !nat64) return null;
  return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.');
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

/**
 * Parses CHATWOOT_ALLOWED_HOSTS: comma-separated host names, IP addresses and CIDR ranges. Returns
 * the entries it could not read, for the boot error.
 */
export function parseAllowedHosts(raw: string | null): { allowed: AllowedHosts; bad: string[] } {
  const allowed: AllowedHosts = { hostnames: [], networks: [], allPrivate: false };
  const bad: string[] = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [address, prefixText, extra] = entry.replace(/^\[|\](?=\/|$)/g, '').split('/');
    const canonical = extra === undefined ? canonicalAddress(address) : null;
    if (canonical) {
      const max = canonical.family === 'ipv4' ? 32 : 128;
      // An IPv4 range written in its mapped IPv6 form (`::ffff:10.0.0.0/104`) is the IPv4 range.
      const given = prefixText === undefined ? null : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
      const prefix = given === null ? max : isIP(address) === 6 && canonical.family === 'ipv4' ? given - 96 : given;
      if (Number.isInteger(prefix) && prefix >= 0 && prefix <= max) {
        allowed.networks.push({ address: canonical.ip, prefix, family: canonical.family });
        continue;
      }
    } else if (prefixText === undefined && /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i.test(entry)) {
      allowed.hostnames.push(entry.toLowerCase().replace(/\.$/, ''));
      continue;
    }
    bad.push(entry);
  }
  return { allowed, bad };
}

/** Raised before any connection when the policy refuses an address of a host. */
export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTALLOWED';

  constructor(
    readonly hostname: string,
    readonly address: string,
    readonly verdict: 'private' | 'never',
  ) {
    const what =
      verdict === 'never'
        ? 'a link-local or cloud-metadata address, never allowed'
        : 'a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow';
    super(hostname === address ? `address ${address} is ${what}` : `${hostname} resolves to ${address}, ${what}`);
    this.name = 'AddressNotAllowedError';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type LookupFunction = (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => void;

export class AddressPolicy {
  private readonly hostnames: Set<string>;
  private readonly networks = new BlockList();

  constructor(
    private readonly allowed: AllowedHosts = NO_ALLOWED_HOSTS,
    private readonly resolve: typeof dnsLookup = dnsLookup,
  ) {
    this.hostnames = new Set(allowed.hostnames);
    for (const n of allowed.networks) this.networks.addSubnet(n.address, n.prefix, n.family);
  }

  /** What an address is under this policy; `hostname` is the URL's host, for the host-name entries. */
  verdict(address: string, hostname?: string): AddressVerdict {
    const canonical = canonicalAddress(address);
    if (!canonical) return 'private';
    if (never.check(canonical.ip, canonical.family)) return 'never';
    if (!notPublic.check(canonical.ip, canonical.family)) return 'public';
    if (this.allowed.allPrivate || this.networks.check(canonical.ip, canonical.family)) return 'allowed';
    if (hostname !== undefined && this.hostnames.has(normalHost(hostname))) return 'allowed';
    return 'private';
  }

  /**
   * The check of a URL's host before connecting: an IP literal never goes through `lookup`, so it is
   * judged here. Throws {@link AddressNotAllowedError}.
   */
  checkLiteral(hostname: string): void {
    const literal = hostname.replace(/^\[|\]$/g, '');
    if (!isIP(literal)) return;
    const verdict = this.verdict(literal, literal);
    if (verdict === 'private' || verdict === 'never') throw new AddressNotAllowedError(literal, literal, verdict);
  }

  /**
   * A `lookup` for http.request that refuses the host when ANY of its addresses is refused. Inside
   * the connection's own lookup, so that no DNS answer can change between the check and the connect.
   */
  lookup(): LookupFunction {
    return (hostname, options, callback) => {
      this.resolve(hostname, { all: true, family: options.family as number | undefined }, (err, addresses) => {
        if (err) return callback(err, []);
        const list = addresses as LookupAddress[];
        for (const a of list) {
          const verdict = this.verdict(a.address, hostname);
          if (verdict === 'private' || verdict === 'never') return callback(new AddressNotAllowedError(hostname, a.address, verdict), []);
        }
        if (list.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
        if (options.all) return callback(null, list);
        callback(null, list[0].address, list[0].family);
      });
    };
  }
}

function normalHost(hostname: string): string {
  return hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
}
