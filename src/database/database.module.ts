import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { buildDataSourceOptions } from '../../ormconfig.js';
import { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { NotificationListener } from './notification-listener.js';
import { StoredKeysCheck } from './stored-keys.check.js';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config),
        // Production runs migrations once, from a Job (MIGRATE_ON_START=false); see README.
        migrationsRun: config.migrateOnStart,
        migrationsTransactionMode: 'all' as const,
        retryAttempts: 3,
        retryDelay: 1_000,
      }),
    }),
  ],
  // One LISTEN connection per process, for the API's event stream and the bridge's routing alike.
  providers: [StoredKeysCheck, NotificationListener],
  exports: [NotificationListener],
})
export class DatabaseModule {}
