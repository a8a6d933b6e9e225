import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { type AllowedHosts, parseAllowedHosts } from '../common/http/url-policy.js';

/** The roles a process can run (SPEC §1 `ROLES`). */
export type Role = 'api' | 'bridge';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface EncryptionKey {
  /** First 8 hex chars of SHA-256 of the key (SPEC §6). */
  id: string;
  key: Buffer;
}

export interface AppConfig {
  roles: Role[];
  port: number;
  /** `postgres://…`, or null for embedded PGlite in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Where PGlite keeps its files when `databaseUrl` is null (`memory://` in tests). */
  embeddedDatabaseDir: string;
  /**
   * A PGlite data directory (`dumpDataDir()`) that a new embedded database starts from instead of
   * running initdb, which takes PGlite about 2 s. No variable: tests set it to a fresh database's.
   */
  embeddedDatabaseSeed: Blob | null;
  migrateOnStart: boolean;
  encryptionKey: EncryptionKey;
  /** Accepted for decryption only (rotation). */
  previousEncryptionKeys: EncryptionKey[];
  /** True when the key was generated into DATA_DIR (embedded mode without ENCRYPTION_KEY). */
  encryptionKeyGenerated: boolean;
  adminToken: string | null;
  bridgeUrl: string | null;
  bridgeToken: string | null;
  publicUrl: string;
  rateLimitPerMinute: number;
  rateLimitCreatePerMinute: number;
  /** SPEC §2's per-address budget of requests with a missing or unknown token (RATE_LIMIT_UNKNOWN_TOKEN_PER_MINUTE, 30). */
  rateLimitUnknownTokenPerMinute: number;
  redisUrl: string | null;
  /** How many reverse proxies' X-Forwarded-For entries are believed for the client's address (TRUST_PROXY, SPEC §1). */
  trustProxy: number;
  /** Prefix of every Redis key (REDIS_KEY_PREFIX), so that deployments can share one Redis. */
  redisKeyPrefix: string;
  logLevel: LogLevel;
  /** SPEC §5's budgets (60 s, 10 s, 30 s): BRIDGE_ACTIVATION_TIMEOUT_MS, BRIDGE_GET_TIMEOUT_MS, BRIDGE_DELETE_TIMEOUT_MS. */
  bridgeTimeouts: BridgeTimeouts;
  /** How often the chatwoot module retries failed bridge deletions and reconciles (CHATWOOT_WORKER_INTERVAL_MS, 15 s). */
  chatwootWorkerIntervalMs: number;
  /** How long status reads skip the bridge after it failed (circuit breaker; LIVE_STATUS_BREAKER_PAUSE_MS, 15 s). */
  liveStatusBreakerPauseMs: number;
  /** Longest life of a remembered token (principal cache; AUTH_CACHE_TTL_SECONDS, 60); 0: no cache. */
  authCacheTtlSeconds: number;
  /** True when this process runs both roles and the API reaches its in-process bridge (SPEC §1). */
  bridgeEmbedded: boolean;
  /** Bridge role: the URL at which Chatwoot reaches this bridge (inbox webhook_url). */
  bridgePublicUrl: string;
  /** Bridge role: seconds between health checks of each integration; 0 disables them. */
  bridgeHealthIntervalSeconds: number;
  /** Bridge role: timeout of each Chatwoot call. */
  chatwootTimeoutMs: number;
  /** Bridge role: route messages between WhatsApp and Chatwoot (SPEC-MESSAGING §11). */
  routingEnabled: boolean;
  /**
   * SPEC §1 CHATWOOT_ALLOWED_HOSTS: the private hosts, addresses and ranges that tenant URLs
   * (Chatwoot base URLs, `mediaUrl`s) may reach; public addresses only when empty.
   */
  chatwootAllowedHosts: AllowedHosts;
  /** Set when the deprecated CHATWOOT_ALLOW_PRIVATE_URLS was given, for the boot warning. */
  chatwootAllowPrivateUrlsDeprecated: boolean;
  /** SPEC-MESSAGING §8: Meta's Graph API, no trailing `/` (tests point it at a loopback double). */
  whatsappCloudApiUrl: string;
  /** SPEC-MESSAGING §8: how long `/connect` waits for a QR code. */
  whatsappConnectTimeoutMs: number;
  /** SPEC-MESSAGING §9: the largest media a send accepts or a download keeps. */
  mediaMaxBytes: number;
  /**
   * SPEC-MESSAGING §9 Idempotency-Key: how long a repeat of a Cloud API send whose process died
   * mid-call waits for Meta's status webhook before it sends again (CLOUD_SEND_SETTLE_SECONDS, 120).
   */
  cloudSendSettleSeconds: number;
  /** SPEC-MESSAGING §10: how long events, messages and their media are kept. */
  eventRetentionHours: number;
  /**
   * BAILEYS_SOCKET_MODULE, for tests and demos only: a module whose default export returns the
   * factory of Baileys sockets (a fake WhatsApp connection at the adapter's port). Unset in production.
   */
  baileysSocketModule: string | null;
  /**
   * The built operator page served at /manager (`npm run build` writes it to dist/manager). No
   * variable: tests serve a build of their own.
   */
  managerDir: string;
}

export interface BridgeTimeouts {
  activationMs: number;
  getMs: number;
  deleteMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const ROLES: readonly Role[] = ['api', 'bridge'];

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export interface LoadOptions {
  /**
   * Called with DATA_DIR before anything is written to it, when the database is the embedded one:
   * the entry points claim the directory there (SPEC §7), so that a second process stops before
   * it generates a key file. Tests, which never use DATA_DIR itself, pass nothing.
   */
  claimDataDir?: (dataDir: string) => void;
}

/** The environment, validated (SPEC §1): one boot failure lists every bad variable. The only reader of process.env. */
export function loadConfig(env: Env = process.env, overrides: Partial<AppConfig> = {}, options: LoadOptions = {}): AppConfig {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };

  const roles = parseRoles(str('ROLES'), problems);
  const port = parseInteger('PORT', str('PORT'), 3000, 0, 65535, problems);
  const databaseUrl = parseUrl('DATABASE_URL', str('DATABASE_URL'), ['postgres:', 'postgresql:'], problems);
  const dataDir = resolve(str('DATA_DIR') ?? './data');
  const migrateOnStart = parseBoolean('MIGRATE_ON_START', str('MIGRATE_ON_START'), true, problems);
  const adminToken = str('ADMIN_TOKEN');
  const bridgeUrl = parseUrl('BRIDGE_URL', str('BRIDGE_URL'), ['http:', 'https:'], problems);
  const bridgeToken = str('BRIDGE_TOKEN');
  const publicUrl =
    parseUrl('PUBLIC_URL', str('PUBLIC_URL'), ['http:', 'https:'], problems) ?? `http://localhost:${port}`;
  const bridgePublicUrl = parseUrl('BRIDGE_PUBLIC_URL', str('BRIDGE_PUBLIC_URL'), ['http:', 'https:'], problems) ?? publicUrl;
  const bridgeHealthIntervalSeconds = parseInteger(
    'BRIDGE_HEALTH_INTERVAL_SECONDS', str('BRIDGE_HEALTH_INTERVAL_SECONDS'), 60, 0, 86_400, problems,
  );
  // 15 s per call keeps a create (at most two Chatwoot calls) well inside the API's 60 s budget.
  const chatwootTimeoutMs = parseInteger('CHATWOOT_TIMEOUT_MS', str('CHATWOOT_TIMEOUT_MS'), 15_000, 1, 120_000, problems);
  const { allowed: chatwootAllowedHosts, bad: badAllowedHosts } = parseAllowedHosts(str('CHATWOOT_ALLOWED_HOSTS'));
  if (badAllowedHosts.length > 0) {
    problems.push(`CHATWOOT_ALLOWED_HOSTS must list host names, IP addresses or CIDR ranges (not: ${badAllowedHosts.join(', ')})`);
  }
  // Deprecated alias: `true` opens every private address as the old default did (link-local and
  // metadata stay closed); `false` is the default now.
  const allowPrivateRaw = str('CHATWOOT_ALLOW_PRIVATE_URLS');
  chatwootAllowedHosts.allPrivate = parseBoolean('CHATWOOT_ALLOW_PRIVATE_URLS', allowPrivateRaw, false, problems) === true;
  const routingEnabled = parseBoolean('BRIDGE_ROUTING', str('BRIDGE_ROUTING'), true, problems);
  // Both roles in one process and no external bridge: the API calls its own bridge over loopback
  // HTTP, exactly as it would call a separate one (SPEC §1).
  const bridgeEmbedded = !!roles && roles.includes('api') && roles.includes('bridge') && str('BRIDGE_URL') === null;
  if (roles?.includes('bridge') && !bridgeEmbedded && !bridgeToken) {
    problems.push('BRIDGE_TOKEN is required when ROLES includes bridge (unless ROLES=api,bridge with BRIDGE_URL unset)');
  }
  const rateLimitPerMinute = parseInteger('RATE_LIMIT_PER_MINUTE', str('RATE_LIMIT_PER_MINUTE'), 100, 1, 10_000_000, problems);
  const rateLimitCreatePerMinute = parseInteger(
    'RATE_LIMIT_CREATE_PER_MINUTE', str('RATE_LIMIT_CREATE_PER_MINUTE'), 20, 1, 10_000_000, problems,
  );
  const rateLimitUnknownTokenPerMinute = parseInteger(
    'RATE_LIMIT_UNKNOWN_TOKEN_PER_MINUTE', str('RATE_LIMIT_UNKNOWN_TOKEN_PER_MINUTE'), 30, 1, 10_000_000, problems,
  );
  const trustProxy = parseInteger('TRUST_PROXY', str('TRUST_PROXY'), 0, 0, 100, problems);
  const redisUrl = parseUrl('REDIS_URL', str('REDIS_URL'), ['redis:', 'rediss:'], problems);
  const redisKeyPrefix = str('REDIS_KEY_PREFIX') ?? 'ryze:';
  if (!/^[A-Za-z0-9:._-]{1,64}$/.test(redisKeyPrefix)) problems.push('REDIS_KEY_PREFIX must be 1-64 characters of A-Z a-z 0-9 : . _ -');
  // SPEC §5 budgets and the background pace; only shortened by tests (fault suite) or tuned ops.
  const activationTimeoutMs = parseInteger('BRIDGE_ACTIVATION_TIMEOUT_MS', str('BRIDGE_ACTIVATION_TIMEOUT_MS'), 60_000, 1, 600_000, problems);
  const getTimeoutMs = parseInteger('BRIDGE_GET_TIMEOUT_MS', str('BRIDGE_GET_TIMEOUT_MS'), 10_000, 1, 600_000, problems);
  const deleteTimeoutMs = parseInteger('BRIDGE_DELETE_TIMEOUT_MS', str('BRIDGE_DELETE_TIMEOUT_MS'), 30_000, 1, 600_000, problems);
  const chatwootWorkerIntervalMs = parseInteger(
    'CHATWOOT_WORKER_INTERVAL_MS', str('CHATWOOT_WORKER_INTERVAL_MS'), 15_000, 10, 86_400_000, problems,
  );
  const liveStatusBreakerPauseMs = parseInteger(
    'LIVE_STATUS_BREAKER_PAUSE_MS', str('LIVE_STATUS_BREAKER_PAUSE_MS'), 15_000, 1, 3_600_000, problems,
  );
  const authCacheTtlSeconds = parseInteger('AUTH_CACHE_TTL_SECONDS', str('AUTH_CACHE_TTL_SECONDS'), 60, 0, 3_600, problems);
  const whatsappCloudApiUrl =
    parseUrl('WHATSAPP_CLOUD_API_URL', str('WHATSAPP_CLOUD_API_URL'), ['http:', 'https:'], problems) ?? 'https://graph.facebook.com/v26.0';
  const whatsappConnectTimeoutMs = parseInteger(
    'WHATSAPP_CONNECT_TIMEOUT_MS', str('WHATSAPP_CONNECT_TIMEOUT_MS'), 20_000, 100, 600_000, problems,
  );
  const mediaMaxBytes = parseInteger('MEDIA_MAX_BYTES', str('MEDIA_MAX_BYTES'), 64 * 1024 * 1024, 1024, 1024 * 1024 * 1024, problems);
  // Below the 5 minutes a repeat waits for any first request (idempotency.ts).
  const cloudSendSettleSeconds = parseInteger('CLOUD_SEND_SETTLE_SECONDS', str('CLOUD_SEND_SETTLE_SECONDS'), 120, 1, 240, problems);
  const baileysSocketModule = str('BAILEYS_SOCKET_MODULE');
  const eventRetentionHours = parseInteger('EVENT_RETENTION_HOURS', str('EVENT_RETENTION_HOURS'), 168, 1, 87_600, problems);
  const logLevelRaw = (str('LOG_LEVEL') ?? 'info').toLowerCase();
  const logLevel = LOG_LEVELS.includes(logLevelRaw as LogLevel) ? (logLevelRaw as LogLevel) : null;
  if (!logLevel) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const previousEncryptionKeys: EncryptionKey[] = [];
  for (const [i, raw] of (str('ENCRYPTION_KEYS_PREVIOUS') ?? '').split(',').map((s) => s.trim()).entries()) {
    if (raw === '') continue;
    const key = decodeKey(raw);
    if (key) previousEncryptionKeys.push({ id: keyIdOf(key), key });
    else problems.push(`ENCRYPTION_KEYS_PREVIOUS entry ${i + 1} must be 32 bytes encoded in base64`);
  }

  let encryptionKey: EncryptionKey | null = null;
  let encryptionKeyGenerated = false;
  const keyRaw = str('ENCRYPTION_KEY');
  if (keyRaw) {
    const key = decodeKey(keyRaw);
    if (key) encryptionKey = { id: keyIdOf(key), key };
    else problems.push('ENCRYPTION_KEY must be 32 bytes encoded in base64');
  } else if (databaseUrl || env.DATABASE_URL) {
    problems.push('ENCRYPTION_KEY is required when DATABASE_URL is set');
  }

  if (problems.length > 0) throw new ConfigError(problems);

  if (!databaseUrl) options.claimDataDir?.(dataDir);
  if (!encryptionKey && !overrides.encryptionKey) {
    encryptionKey = loadOrCreateDevKey(dataDir);
    encryptionKeyGenerated = true;
  }

  return {
    roles: roles!,
    port: port!,
    databaseUrl,
    dataDir,
    embeddedDatabaseDir: join(dataDir, 'pglite'),
    embeddedDatabaseSeed: null,
    migrateOnStart: migrateOnStart!,
    encryptionKey: encryptionKey!,
    previousEncryptionKeys,
    encryptionKeyGenerated,
    adminToken,
    bridgeUrl: bridgeEmbedded ? `http://127.0.0.1:${port}` : bridgeUrl ? bridgeUrl.replace(/\/+$/, '') : null,
    // Embedded without BRIDGE_TOKEN: a per-boot secret, since nothing outside this process needs it.
    bridgeToken: bridgeEmbedded ? (bridgeToken ?? randomBytes(32).toString('base64url')) : bridgeToken,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    rateLimitPerMinute: rateLimitPerMinute!,
    rateLimitCreatePerMinute: rateLimitCreatePerMinute!,
    rateLimitUnknownTokenPerMinute: rateLimitUnknownTokenPerMinute!,
    redisUrl,
    trustProxy: trustProxy!,
    redisKeyPrefix,
    logLevel: logLevel!,
    bridgeTimeouts: { activationMs: activationTimeoutMs!, getMs: getTimeoutMs!, deleteMs: deleteTimeoutMs! },
    chatwootWorkerIntervalMs: chatwootWorkerIntervalMs!,
    liveStatusBreakerPauseMs: liveStatusBreakerPauseMs!,
    authCacheTtlSeconds: authCacheTtlSeconds!,
    bridgeEmbedded,
    bridgePublicUrl: bridgePublicUrl.replace(/\/+$/, ''),
    bridgeHealthIntervalSeconds: bridgeHealthIntervalSeconds!,
    chatwootTimeoutMs: chatwootTimeoutMs!,
    routingEnabled: routingEnabled!,
    chatwootAllowedHosts,
    chatwootAllowPrivateUrlsDeprecated: allowPrivateRaw !== null,
    whatsappCloudApiUrl: whatsappCloudApiUrl.replace(/\/+$/, ''),
    whatsappConnectTimeoutMs: whatsappConnectTimeoutMs!,
    mediaMaxBytes: mediaMaxBytes!,
    cloudSendSettleSeconds: cloudSendSettleSeconds!,
    eventRetentionHours: eventRetentionHours!,
    baileysSocketModule: baileysSocketModule ? resolve(baileysSocketModule) : null,
    managerDir: join(packageRoot(), 'dist', 'manager'),
    ...overrides,
  };
}

/**
 * The directory of package.json, found from this module's own file: the same from src/config (ts-jest)
 * and from dist/src/config (the build), whatever the working directory.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/** Where the database is, without validating the rest (for the TypeORM CLI's data source). */
export function databaseLocationFromEnv(env: Env = process.env): Pick<AppConfig, 'databaseUrl' | 'embeddedDatabaseDir'> {
  const dataDir = resolve(env.DATA_DIR?.trim() || './data');
  return { databaseUrl: env.DATABASE_URL?.trim() || null, embeddedDatabaseDir: join(dataDir, 'pglite') };
}

function parseRoles(raw: string | null, problems: string[]): Role[] | null {
  // SPEC §1: both roles, the API using the in-process bridge.
  if (raw === null) return ['api', 'bridge'];
  const parts = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = parts.filter((p) => !ROLES.includes(p as Role));
  if (parts.length === 0 || bad.length > 0) {
    problems.push(`ROLES must be a comma-separated list of ${ROLES.join(', ')}`);
    return null;
  }
  return [...new Set(parts as Role[])];
}

function parseInteger(
  name: string, raw: string | null, dflt: number, min: number, max: number, problems: string[],
): number | null {
  if (raw === null) return dflt;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}`);
    return null;
  }
  return Number(raw);
}

function parseBoolean(name: string, raw: string | null, dflt: boolean, problems: string[]): boolean | null {
  if (raw === null) return dflt;
  const v = raw.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  problems.push(`${name} must be true or false`);
  return null;
}

function parseUrl(name: string, raw: string | null, protocols: string[], problems: string[]): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    if (!protocols.includes(url.protocol) || url.hostname === '') throw new Error('protocol');
    return raw;
  } catch {
    problems.push(`${name} must be a ${protocols.map((p) => p.slice(0, -1)).join('/')} URL`);
    return null;
  }
}

function decodeKey(raw: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) return null;
  const key = Buffer.from(raw.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}

/** Embedded mode only: a key generated once into DATA_DIR, so that a fresh clone runs unconfigured (SPEC §1). */
function loadOrCreateDevKey(dataDir: string): EncryptionKey {
  const file = join(dataDir, 'encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new ConfigError([`${file} does not hold a 32-byte base64 key`]);
  return { id: keyIdOf(key), key };
}
