import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, keyIdOf, loadConfig } from './config.js';

const key = () => randomBytes(32).toString('base64');

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the defaults of SPEC §1', () => {
    const c = loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api' });
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeNull();
    expect(c.migrateOnStart).toBe(true);
    expect(c.adminToken).toBeNull();
    expect(c.bridgeUrl).toBeNull();
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.rateLimitPerMinute).toBe(100);
    expect(c.rateLimitCreatePerMinute).toBe(20);
    expect(c.redisUrl).toBeNull();
    expect(c.redisKeyPrefix).toBe('ryze:');
    expect(c.logLevel).toBe('info');
    expect(c.previousEncryptionKeys).toEqual([]);
  });

  it('lists every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        ENCRYPTION_KEY: Buffer.alloc(16).toString('base64'),
        BRIDGE_URL: 'not a url',
        RATE_LIMIT_PER_MINUTE: '-1',
        LOG_LEVEL: 'loud',
        MIGRATE_ON_START: 'maybe',
        ROLES: 'api,web',
        ENCRYPTION_KEYS_PREVIOUS: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'ENCRYPTION_KEY', 'BRIDGE_URL', 'RATE_LIMIT_PER_MINUTE', 'LOG_LEVEL', 'MIGRATE_ON_START', 'ROLES', 'ENCRYPTION_KEYS_PREVIOUS']) {
      expect(message).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(9);
  });

  it('validates REDIS_KEY_PREFIX', () => {
    expect(loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key(), REDIS_KEY_PREFIX: 'prod-eu:' }).redisKeyPrefix).toBe('prod-eu:');
    expect(() => loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key(), REDIS_KEY_PREFIX: 'has space' })).toThrow(
      'Invalid configuration: REDIS_KEY_PREFIX must be 1-64 characters of A-Z a-z 0-9 : . _ -',
    );
  });

  it('requires ENCRYPTION_KEY with DATABASE_URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(
      'Invalid configuration: ENCRYPTION_KEY is required when DATABASE_URL is set',
    );
  });

  it('generates the embedded key once into DATA_DIR and reuses it', () => {
    const first = loadConfig({ DATA_DIR: dir, ROLES: 'api' });
    expect(first.encryptionKeyGenerated).toBe(true);
    const second = loadConfig({ DATA_DIR: dir, ROLES: 'api' });
    expect(second.encryptionKey.id).toBe(first.encryptionKey.id);
    const stored = Buffer.from(readFileSync(join(dir, 'encryption.key'), 'utf8').trim(), 'base64');
    expect(keyIdOf(stored)).toBe(first.encryptionKey.id);
  });

  it('parses previous keys and the key id (first 8 hex chars of SHA-256)', () => {
    const previous = [key(), key()];
    const c = loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key(), ENCRYPTION_KEYS_PREVIOUS: previous.join(', '), ROLES: 'api' });
    expect(c.previousEncryptionKeys.map((k) => k.id)).toEqual(previous.map((p) => keyIdOf(Buffer.from(p, 'base64'))));
    expect(c.encryptionKey.id).toMatch(/^[0-9a-f]{8}$/);
  });

  it('keeps the SPEC budgets by default and reads the shortened ones from the environment', () => {
    const d = loadConfig({ DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api' });
    expect(d.bridgeTimeouts).toEqual({ activationMs: 60_000, getMs: 10_000, deleteMs: 30_000 });
    expect(d.chatwootWorkerIntervalMs).toBe(15_000);
    expect(d.liveStatusBreakerPauseMs).toBe(15_000);
    const c = loadConfig({
      DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api', BRIDGE_ACTIVATION_TIMEOUT_MS: '3000', BRIDGE_GET_TIMEOUT_MS: '1500',
      BRIDGE_DELETE_TIMEOUT_MS: '2000', CHATWOOT_WORKER_INTERVAL_MS: '300', LIVE_STATUS_BREAKER_PAUSE_MS: '200',
    });
    expect(c.bridgeTimeouts).toEqual({ activationMs: 3_000, getMs: 1_500, deleteMs: 2_000 });
    expect(c.chatwootWorkerIntervalMs).toBe(300);
    expect(c.liveStatusBreakerPauseMs).toBe(200);
  });

  it('validates the timeout and interval variables', () => {
    let error: unknown;
    try {
      loadConfig({
        DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api', BRIDGE_ACTIVATION_TIMEOUT_MS: '0', BRIDGE_GET_TIMEOUT_MS: '1.5',
        BRIDGE_DELETE_TIMEOUT_MS: 'soon', CHATWOOT_WORKER_INTERVAL_MS: '5', LIVE_STATUS_BREAKER_PAUSE_MS: '-1',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'BRIDGE_ACTIVATION_TIMEOUT_MS must be an integer from 1 to 600000',
      'BRIDGE_GET_TIMEOUT_MS must be an integer from 1 to 600000',
      'BRIDGE_DELETE_TIMEOUT_MS must be an integer from 1 to 600000',
      'CHATWOOT_WORKER_INTERVAL_MS must be an integer from 10 to 86400000',
      'LIVE_STATUS_BREAKER_PAUSE_MS must be an integer from 1 to 3600000',
    ]);
  });

  it('reads AUTH_CACHE_TTL_SECONDS: 60 by default, 0 (no cache) to 3600', () => {
    const base = { DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api' };
    expect(loadConfig(base).authCacheTtlSeconds).toBe(60);
    expect(loadConfig({ ...base, AUTH_CACHE_TTL_SECONDS: '0' }).authCacheTtlSeconds).toBe(0);
    for (const bad of ['-1', '3601', '1.5', 'forever']) {
      expect(() => loadConfig({ ...base, AUTH_CACHE_TTL_SECONDS: bad })).toThrow(
        'Invalid configuration: AUTH_CACHE_TTL_SECONDS must be an integer from 0 to 3600',
      );
    }
  });

  it('reads CLOUD_SEND_SETTLE_SECONDS: 120 by default, 1 to 240 (below the 5 minutes a repeat waits for any first request)', () => {
    const base = { DATA_DIR: dir, ENCRYPTION_KEY: key(), ROLES: 'api' };
    expect(loadConfig(base).cloudSendSettleSeconds).toBe(120);
    expect(loadConfig({ ...base, CLOUD_SEND_SETTLE_SECONDS: '3' }).cloudSendSettleSeconds).toBe(3);
    for (const bad of ['0', '241', '2.5', 'soon']) {
      expect(() => loadConfig({ ...base, CLOUD_SEND_SETTLE_SECONDS: bad })).toThrow(
        'Invalid configuration: CLOUD_SEND_SETTLE_SECONDS must be an integer from 1 to 240',
      );
    }
  });

  it('strips trailing slashes from BRIDGE_URL and PUBLIC_URL', () => {
    const c = loadConfig({
      DATA_DIR: dir, ENCRYPTION_KEY: key(), BRIDGE_URL: 'http://bridge:8080/', PUBLIC_URL: 'https://api.example.com//', ROLES: 'api',
    });
    expect(c.bridgeUrl).toBe('http://bridge:8080');
    expect(c.publicUrl).toBe('https://api.example.com');
  });
});
