import type { LookupAddress } from 'node:dns';
import { AddressNotAllowedError, AddressPolicy, NO_ALLOWED_HOSTS, parseAllowedHosts } from './url-policy.js';

const policyOf = (raw: string, allPrivate = false, dns?: ConstructorParameters<typeof AddressPolicy>[1]) => {
  const { allowed, bad } = parseAllowedHosts(raw);
  expect(bad).toEqual([]);
  return new AddressPolicy({ ...allowed, allPrivate }, dns);
};

describe('AddressPolicy: the default (SPEC §1: public addresses only)', () => {
  const policy = new AddressPolicy(NO_ALLOWED_HOSTS);

  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.10',
    '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1',
    '::1', '::', 'fc00::1', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:0:127.0.0.1', '::127.0.0.1', '64:ff9b::7f00:1', '[::1]',
    'not-an-ip',
  ])('refuses %s as private', (address) => {
    expect(policy.verdict(address)).toBe('private');
  });

  it.each([
    '169.254.169.254', '169.254.0.1', '100.100.100.200', 'fe80::1', 'fe80::1%eth0', 'fd00:ec2::254',
    // The IPv4-mapped (::ffff:0:0/96), IPv4-translated and NAT64 spellings reach the IPv4 host.
    '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:0:169.254.169.254', '64:ff9b::a9fe:a9fe',
  ])('refuses %s as link-local or metadata', (address) => {
    expect(policy.verdict(address)).toBe('never');
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1', '169.253.1.1', '203.0.113.9',
    '2606:4700:4700::1111', '2001:db8::1', '::ffff:8.8.8.8', '64:ff9b::808:808',
  ])('allows the public %s', (address) => {
    expect(policy.verdict(address)).toBe('public');
  });
});

describe('AddressPolicy: CHATWOOT_ALLOWED_HOSTS', () => {
  const policy = policyOf('127.0.0.1, 10.20.0.0/16, fd12:3456::/32, chatwoot.internal, 169.254.0.0/16, 100.100.100.200, metadata.internal');

  it('allows the listed addresses and ranges, in every spelling', () => {
    for (const address of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.3.4', '::ffff:10.20.255.255', 'fd12:3456::9']) {
      expect([address, policy.verdict(address)]).toEqual([address, 'allowed']);
    }
    for (const address of ['127.0.0.2', '::1', '10.21.0.1', 'fd12:3457::9']) {
      expect([address, policy.verdict(address)]).toEqual([address, 'private']);
    }
  });

  it('allows a listed host name whatever private address it resolves to, matching the name without case or trailing dot', () => {
    expect(policy.verdict('192.168.7.7', 'chatwoot.internal')).toBe('allowed');
    expect(policy.verdict('192.168.7.7', 'Chatwoot.Internal.')).toBe('allowed');
    expect(policy.verdict('192.168.7.7', 'other.internal')).toBe('private');
  });

  it('never allows link-local or metadata addresses, whatever it lists', () => {
    expect(policy.verdict('169.254.169.254')).toBe('never');
    expect(policy.verdict('100.100.100.200')).toBe('never');
    expect(policy.verdict('169.254.169.254', 'metadata.internal')).toBe('never');
  });

  it('is not needed for public addresses', () => {
    expect(policy.verdict('203.0.113.9', 'chatwoot.internal')).toBe('public');
  });
});

describe('AddressPolicy: the deprecated CHATWOOT_ALLOW_PRIVATE_URLS=true', () => {
  const policy = policyOf('', true);

  it('allows every private address, but still no link-local or metadata one', () => {
    expect(policy.verdict('10.1.2.3')).toBe('allowed');
    expect(policy.verdict('::1')).toBe('allowed');
    expect(policy.verdict('169.254.169.254')).toBe('never');
    expect(policy.verdict('::ffff:169.254.169.254')).toBe('never');
  });
});

describe('AddressPolicy.checkLiteral', () => {
  const policy = policyOf('10.0.0.5');

  it('judges an IP literal before any connection, and leaves host names to the lookup', () => {
    expect(() => policy.checkLiteral('10.0.0.5')).not.toThrow();
    expect(() => policy.checkLiteral('chatwoot.example.com')).not.toThrow();
    expect(() => policy.checkLiteral('[::ffff:7f00:1]')).toThrow(
      'address ::ffff:7f00:1 is a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow',
    );
    expect(() => policy.checkLiteral('169.254.169.254')).toThrow('address 169.254.169.254 is a link-local or cloud-metadata address, never allowed');
  });
});

describe('AddressPolicy.lookup', () => {
  const fakeDns = (addresses: LookupAddress[] | Error) =>
    ((_host: string, _opts: unknown, cb: (err: Error | null, a: LookupAddress[]) => void) => {
      if (addresses instanceof Error) cb(addresses, []);
      else cb(null, addresses);
    }) as never;

  const run = (allowed: string, addresses: LookupAddress[] | Error, all: boolean, host = 'chatwoot.example.com') =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      policyOf(allowed, false, fakeDns(addresses)).lookup()(host, { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('hands public addresses to the socket, in either lookup form', async () => {
    const addresses = [{ address: '203.0.113.9', family: 4 }, { address: '2001:db8::9', family: 6 }];
    expect(await run('', addresses, true)).toEqual({ err: null, address: addresses, family: undefined });
    expect(await run('', addresses, false)).toEqual({ err: null, address: '203.0.113.9', family: 4 });
  });

  it('refuses the host when any of its addresses is private, so that a DNS answer cannot swap one in', async () => {
    const { err } = await run('', [{ address: '203.0.113.9', family: 4 }, { address: '10.0.0.5', family: 4 }], true);
    expect(err).toBeInstanceOf(AddressNotAllowedError);
    expect(err?.code).toBe('EADDRNOTALLOWED');
    expect(err?.message).toBe('chatwoot.example.com resolves to 10.0.0.5, a private or local address that CHATWOOT_ALLOWED_HOSTS does not allow');
  });

  it('lets a listed host name or range through, but never to a metadata address', async () => {
    expect((await run('chatwoot.example.com', [{ address: '10.0.0.5', family: 4 }], false)).address).toBe('10.0.0.5');
    expect((await run('10.0.0.0/8', [{ address: '10.0.0.5', family: 4 }], false)).address).toBe('10.0.0.5');
    const { err } = await run('chatwoot.example.com', [{ address: '10.0.0.5', family: 4 }, { address: '169.254.169.254', family: 4 }], true);
    expect(err?.message).toBe('chatwoot.example.com resolves to 169.254.169.254, a link-local or cloud-metadata address, never allowed');
  });

  it('passes DNS failures through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect((await run('', failure, false)).err).toBe(failure);
  });
});

describe('parseAllowedHosts', () => {
  it('names the entries that are neither a host name, an address nor a range', () => {
    expect(parseAllowedHosts('ok.example, 10.0.0.0/33, http://x, ::1/129, 1.2.3.4/x, -bad-.example').bad).toEqual([
      '10.0.0.0/33', 'http://x', '::1/129', '1.2.3.4/x', '-bad-.example',
    ]);
  });
});
