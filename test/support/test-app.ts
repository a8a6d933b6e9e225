import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.js';
import { type AppConfig, loadConfig } from '../../src/config/config.js';
import { CapturingLogger } from './capturing-logger.js';
import { type RequestOptions, type HttpResponse, request } from './http.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestApp {
  url: string;
  app: NestExpressApplication;
  config: AppConfig;
  logs: CapturingLogger;
  db: TestDatabase;
  req<T = any>(method: string, path: string, opts?: RequestOptions): Promise<HttpResponse<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment variables, as an operator would set them. */
  env?: Record<string, string>;
  /** Settings that have no environment variable (shortened timeouts). */
  overrides?: Partial<AppConfig>;
  /** Reuse a database (to restart an app on the same data). */
  db?: TestDatabase;
}

/**
 * Boots the real application (same createApp/configureApp as main.ts) on an isolated database and
 * a free loopback port.
 */
export async function startTestApp(options: StartOptions = {}): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase());
  const env: Record<string, string> = {
    ROLES: 'api',
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    ...(options.env ?? {}),
  };
  const config = loadConfig(env, {
    embeddedDatabaseDir: db.embeddedDatabaseDir,
    embeddedDatabaseSeed: db.embeddedDatabaseSeed,
    ...(options.overrides ?? {}),
  });
  const logs = new CapturingLogger(config);
  const app = await createApp(config, logs);
  try {
    // An explicit PORT is honoured (the embedded bridge is reached at it); otherwise any free port.
    await app.listen(options.env?.PORT ? config.port : 0, '127.0.0.1');
  } catch (err) {
    await app.close().catch(() => undefined);
    if (!options.db) await db.drop();
    throw err;
  }
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    app,
    config,
    logs,
    db,
    req: (method, path, opts) => request(url, method, path, opts),
    close: async () => {
      await app.close();
      if (!options.db) await db.drop();
    },
  };
}
