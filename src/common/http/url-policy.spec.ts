import type { LookupAddress } from 'node:dns';
import { AddressNotAllowedError, isDisallowedAddress, restrictedLookup } from './url-policy.js';

describe('isDisallowedAddress', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.10', '169.254.169.254',
    '169.254.0.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '198.18.0.1',
    '::1', '::', 'fc00::1', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0', 'ff02::1', 'fec0::1',
    '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', '64:ff9b::a9fe:a9fe', '[::1]',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isDisallowedAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8', '1.1.1.1', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.128.0.1', '169.253.1.1', '203.0.113.9',
    '2606:4700:4700::1111', '2001:db8::1', '::ffff:8.8.8.8', '64:ff9b::808:808',
  ])('allows %s', (address) => {
    expect(isDisallowedAddress(address)).toBe(false);
  });
});

describe('restrictedLookup', () => {
  const fakeDns = (addresses: LookupAddress[] | Error) =>
    ((_host: string, _opts: unknown, cb: (err: Error | null, a: LookupAddress[]) => void) => {
      if (addresses instanceof Error) cb(addresses, []);
      else cb(null, addresses);
    }) as never;

  const run = (addresses: LookupAddress[] | Error, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      restrictedLookup(fakeDns(addresses))('chatwoot.example.com', { all }, (err, address, family) => resolve({ err, address, family })),
    );

  it('hands public addresses to the socket, in either lookup form', async () => {
    const addresses = [{ address: '203.0.113.9', family: 4 }, { address: '2001:db8::9', family: 6 }];
    expect(await run(addresses, true)).toEqual({ err: null, address: addresses, family: undefined });
    expect(await run(addresses, false)).toEqual({ err: null, address: '203.0.113.9', family: 4 });
  });

  it('refuses the host when any of its addresses is private', async () => {
    const { err } = await run([{ address: '203.0.113.9', family: 4 }, { address: '10.0.0.5', family: 4 }], true);
    expect(err).toBeInstanceOf(AddressNotAllowedError);
    expect(err?.code).toBe('EADDRNOTALLOWED');
    expect(err?.message).toBe('chatwoot.example.com resolves to 10.0.0.5, which is not allowed (CHATWOOT_ALLOW_PRIVATE_URLS=false)');
  });

  it('passes DNS failures through', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    expect((await run(failure, false)).err).toBe(failure);
  });
});
