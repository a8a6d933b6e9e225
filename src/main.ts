import { Logger } from '@nestjs/common';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/config.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = new Logger('Bootstrap');
  if (config.encryptionKeyGenerated) {
    logger.warn(
      `ENCRYPTION_KEY is not set: using a key generated in ${config.dataDir}. Set ENCRYPTION_KEY in production.`,
    );
  }
  const app = await createApp(config);
  await app.listen(config.port);
  logger.log(`listening on port ${config.port} (roles: ${config.roles.join(',')}, database: ${config.databaseUrl ? 'postgres' : 'embedded PGlite'})`);
}

void bootstrap();
