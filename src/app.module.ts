import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from './accounts/accounts.module.js';
import { BridgeModule } from './bridge/bridge.module.js';
import { ChatwootModule } from './chatwoot/chatwoot.module.js';
import { AuthModule } from './common/auth/auth.module.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { InstancesModule } from './instances/instances.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

@Module({})
export class AppModule {
  /** The modules a process runs follow its ROLES (SPEC §1). */
  static forRoot(config: AppConfig): DynamicModule {
    const api = config.roles.includes('api')
      ? [EventEmitterModule.forRoot(), AuthModule, RateLimitModule, AccountsModule, InstancesModule, ChatwootModule]
      : [];
    const bridge = config.roles.includes('bridge') ? [BridgeModule] : [];
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, CryptoModule, HealthModule, MetricsModule, ...api, ...bridge],
    };
  }
}
