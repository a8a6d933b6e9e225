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
    expect(c.chatwootAllowPrivateUrls).toBe(true);
    expect(c.bridgeEmbedded).toBe(false);
  });

  it('reads the bridge variables', () => {
    const c = loadConfig({
      ...base, ROLES: 'bridge', BRIDGE_TOKEN: 't', BRIDGE_PUBLIC_URL: 'https://bridge.example.com//',
      BRIDGE_HEALTH_INTERVAL_SECONDS: '0', CHATWOOT_TIMEOUT_MS: '5000', CHATWOOT_ALLOW_PRIVATE_URLS: 'false',
    });
    expect([c.bridgePublicUrl, c.bridgeHealthIntervalSeconds, c.chatwootTimeoutMs, c.chatwootAllowPrivateUrls]).toEqual([
      'https://bridge.example.com', 0, 5000, false,
    ]);
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
    })).toEqual([
      'BRIDGE_PUBLIC_URL must be a http/https URL',
      'BRIDGE_HEALTH_INTERVAL_SECONDS must be an integer from 0 to 86400',
      'CHATWOOT_TIMEOUT_MS must be an integer from 1 to 120000',
      'CHATWOOT_ALLOW_PRIVATE_URLS must be true or false',
    ]);
  });
});
