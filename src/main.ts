import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { AppLogger } from './common/logging/app-logger.js';
import { ConfigError, loadConfig } from './config/config.js';
import { DataDirInUseError, lockDataDir } from './database/data-dir-lock.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, {}, { claimDataDir: lockDataDir });
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirInUseError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // JSON lines from the first message on (SPEC §7); Nest's own messages go through it too.
  const appLogger = AppLogger.forConfig(config);
  Logger.overrideLogger(appLogger);
  const logger = new Logger('Bootstrap');
  if (config.encryptionKeyGenerated) {
    logger.warn(
      `ENCRYPTION_KEY is not set: using a key generated in ${config.dataDir}. Set ENCRYPTION_KEY in production.`,
    );
  }
  const app = await createApp(config, appLogger);
  await app.listen(config.port);
  drainOnSignals(app, logger);
  logger.log(`listening on port ${config.port} (roles: ${config.roles.join(',')}, database: ${config.databaseUrl ? 'postgres' : 'embedded PGlite'})`);
}

bootstrap().catch((err: unknown) => {
  // A failed start (database unreachable, wrong ENCRYPTION_KEY…) is one clear line and exit 1.
  process.stderr.write(`startup failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/** How long in-flight requests may take to finish after SIGTERM (SPEC §7). */
const DRAIN_MS = 25_000;

/**
 * SIGTERM/SIGINT (SPEC §7): readiness 503, stop accepting, in-flight requests finish (25 s at most),
 * database closed, exit 0. Nest's own shutdown hooks would re-raise the signal (exit 143).
 */
function drainOnSignals(app: Awaited<ReturnType<typeof createApp>>, logger: Logger): void {
  let draining = false;
  const drain = (signal: string) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal}: draining in-flight requests (up to ${DRAIN_MS / 1000} s)`);
    const force = setTimeout(() => {
      logger.warn('drain time exceeded: closing the remaining connections');
      (app.getHttpServer() as import('node:http').Server).closeAllConnections();
    }, DRAIN_MS);
    force.unref();
    // server.close() drops only the connections idle at that moment; a keep-alive connection whose
    // request finishes later would hold the exit until its keep-alive timeout.
    const server = app.getHttpServer() as import('node:http').Server;
    const idle = setInterval(() => server.closeIdleConnections(), 200);
    idle.unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => drain('SIGTERM'));
  process.once('SIGINT', () => drain('SIGINT'));
  drainWhenOrphanedByNpm(drain);
}

/**
 * `npm start` runs `sh -c "node dist/src/main.js"` and forwards SIGTERM to the shell only; dash does
 * not exec its last command, so the server would live on, re-parented. Started by npm, the server
 * drains once its parent is gone; otherwise (a shell that exits, an init system) it keeps running.
 */
function drainWhenOrphanedByNpm(drain: (reason: string) => void): void {
  if (!process.env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    drain('parent process exited');
  }, 500);
  watch.unref();
}

