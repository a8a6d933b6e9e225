import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig, databaseLocationFromEnv } from './src/config/config.js';
import { pgliteDriver } from './src/database/pglite-pool.js';
import { ENTITIES } from './src/database/entities.js';
import { MIGRATIONS } from './src/database/migrations/index.js';

/**
 * The one TypeORM options factory, shared by the app, the CLI and the tests (STYLE.md).
 * PostgreSQL when DATABASE_URL is set, embedded PGlite in DATA_DIR otherwise. The same committed
 * migrations serve both; `synchronize` is always off.
 */
export function buildDataSourceOptions(
  config: Pick<AppConfig, 'databaseUrl' | 'embeddedDatabaseDir'> & Partial<Pick<AppConfig, 'embeddedDatabaseSeed'>>,
): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (config.databaseUrl) {
    return {
      ...common,
      type: 'postgres',
      url: config.databaseUrl,
      poolSize: 10,
      connectTimeoutMS: 5_000,
      // Fail a query rather than hang a request when the database stops answering.
      extra: { query_timeout: 15_000, statement_timeout: 15_000 },
    };
  }
  return {
    ...common,
    type: 'postgres',
    driver: pgliteDriver(config.embeddedDatabaseDir, config.embeddedDatabaseSeed ?? null),
  };
}

/**
 * For the TypeORM CLI (`typeorm -d ormconfig.ts migration:generate …`). Constructing a DataSource
 * connects nothing, so importing this file has no side effect.
 */
export default new DataSource(buildDataSourceOptions(databaseLocationFromEnv()));
