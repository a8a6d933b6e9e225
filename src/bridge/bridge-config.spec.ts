import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../config/config.js';

/** The bridge role's configuration (SPEC §1, BRIDGE-API.md). */
describe('loadConfig: bridge role', () => {
  const base = { ENCRYPTION_KEY: randomBytes(32).toString('base64') };

  const problems = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
    return [];
  };

  it('runs both roles by default, the API wired to the in-process bridge with a per-boot token', () => {
    const c = loadConfig({ ...base, PORT: '8080' });
    expect(c.roles).toEqual(['api', 'bridge']);
    expect(c.bridgeEmbedded).toBe(true);
    expect(c.bridgeUrl).toBe('http://127.0.0.1:8080');
    expect(c.bridgeToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadConfig({ ...base }).bridgeToken).not.toBe(c.bridgeToken);
  });

  it('uses BRIDGE_TOKEN for the embedded bridge when it is set', () => {
    const c = loadConfig({ ...base, ROLES: 'api,bridge', BRIDGE_TOKEN: 'shared-token' });
    expect([c.bridgeEmbedded, c.bridgeUrl, c.bridgeToken]).toEqual([true, 'http://127.0.0.1:3000', 'shared-token']);
  });

  it('uses an external bridge when BRIDGE_URL is set, even with both roles', () => {
    const c = loadConfig({ ...base, ROLES: 'api,bridge', BRIDGE_URL: 'http://bridge:8080/', BRIDGE_TOKEN: 't' });
    expect([c.bridgeEmbedded, c.bridgeUrl, c.bridgeToken]).toEqual([false, 'http://bridge:8080', 't']);
  });

  it('applies the bridge defaults', () => {
    const c = loadConfig({ ...base, ROLES: 'bridge', BRIDGE_TOKEN: 't', PUBLIC_URL: 'https://api.example.com/' });
    expect(c.bridgePublicUrl).toBe('https://api.example.com');
    expect(c.bridgeHealthIntervalSeconds).toBe(60);
    expect(c.chatwootTimeoutMs).toBe(15_000);
    // SPEC §1: public addresses only unless CHATWOOT_ALLOWED_HOSTS opens some.
    expect(c.chatwootAllowedHosts).toEqual({ hostnames: [], networks: [], allPrivate: false });
    expect(c.chatwootAllowPrivateUrlsDeprecated).toBe(false);
    expect(c.bridgeEmbedded).toBe(false);
  });

  it('reads the bridge variables', () => {
    const c = loadConfig({
      ...base, ROLES: 'bridge', BRIDGE_TOKEN: 't', BRIDGE_PUBLIC_URL: 'https://bridge.example.com//',
      BRIDGE_HEALTH_INTERVAL_SECONDS: '0', CHATWOOT_TIMEOUT_MS: '5000',
      CHATWOOT_ALLOWED_HOSTS: ' chatwoot.internal. , 10.0.0.0/8,192.168.1.7, fd12::/16, [::1], ::ffff:172.16.0.0/108, Chat.Example ',
    });
    expect([c.bridgePublicUrl, c.bridgeHealthIntervalSeconds, c.chatwootTimeoutMs]).toEqual(['https://bridge.example.com', 0, 5000]);
    expect(c.chatwootAllowedHosts).toEqual({
      hostnames: ['chatwoot.internal', 'chat.example'],
      networks: [
        { address: '10.0.0.0', prefix: 8, family: 'ipv4' },
        { address: '192.168.1.7', prefix: 32, family: 'ipv4' },
        { address: 'fd12::', prefix: 16, family: 'ipv6' },
        { address: '::1', prefix: 128, family: 'ipv6' },
        // An IPv4 range written in its IPv4-mapped form is that IPv4 range.
        { address: '172.16.0.0', prefix: 12, family: 'ipv4' },
      ],
      allPrivate: false,
    });
  });

  it('keeps CHATWOOT_ALLOW_PRIVATE_URLS as a deprecated alias', () => {
    const on = loadConfig({ ...base, CHATWOOT_ALLOW_PRIVATE_URLS: 'true' });
    expect([on.chatwootAllowedHosts.allPrivate, on.chatwootAllowPrivateUrlsDeprecated]).toEqual([true, true]);
    const off = loadConfig({ ...base, CHATWOOT_ALLOW_PRIVATE_URLS: 'false' });
    expect([off.chatwootAllowedHosts.allPrivate, off.chatwootAllowPrivateUrlsDeprecated]).toEqual([false, true]);
  });

  it('requires BRIDGE_TOKEN when the bridge is not embedded', () => {
    const message = 'BRIDGE_TOKEN is required when ROLES includes bridge (unless ROLES=api,bridge with BRIDGE_URL unset)';
    expect(problems({ ROLES: 'bridge' })).toEqual([message]);
    expect(problems({ ROLES: 'api,bridge', BRIDGE_URL: 'http://bridge' })).toEqual([message]);
    expect(problems({ ROLES: 'api' })).toEqual([]);
  });

  it('lists every bad bridge variable in one error', () => {
    expect(problems({
      ROLES: 'bridge', BRIDGE_TOKEN: 't', BRIDGE_PUBLIC_URL: 'bridge.example.com', BRIDGE_HEALTH_INTERVAL_SECONDS: '-5',
      CHATWOOT_TIMEOUT_MS: 'soon', CHATWOOT_ALLOW_PRIVATE_URLS: 'perhaps',
      CHATWOOT_ALLOWED_HOSTS: 'ok.example,10.0.0.0/33,http://x,a b,::1/129,10.0.0.1/8/2',
    })).toEqual([
      'BRIDGE_PUBLIC_URL must be a http/https URL',
      'BRIDGE_HEALTH_INTERVAL_SECONDS must be an integer from 0 to 86400',
      'CHATWOOT_TIMEOUT_MS must be an integer from 1 to 120000',
      'CHATWOOT_ALLOWED_HOSTS must list host names, IP addresses or CIDR ranges (not: 10.0.0.0/33, http://x, a b, ::1/129, 10.0.0.1/8/2)',
      'CHATWOOT_ALLOW_PRIVATE_URLS must be true or false',
    ]);
  });
});
