import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { AccountsModule } from './accounts/accounts.module.js';
import { BridgeModule } from './bridge/bridge.module.js';
import { ChatwootModule } from './chatwoot/chatwoot.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CryptoModule } from './common/crypto/crypto.module.js';
import type { PlaintextObserver } from './common/crypto/secret-cipher.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { EventsModule } from './events/events.module.js';
import { MessagesModule } from './messages/messages.module.js';
import { WhatsAppModule } from './whatsapp/whatsapp.module.js';
import { HealthModule } from './health/health.module.js';
import { InstancesModule } from './instances/instances.module.js';
import { MetricsModule } from './metrics/metrics.module.js';

@Module({})
export class AppModule {
  /** The modules follow ROLES (SPEC §1); `plaintexts` hears every secret the cipher handles (the logger's KnownSecrets). */
  static forRoot(config: AppConfig, plaintexts: PlaintextObserver | null = null): DynamicModule {
    const api = config.roles.includes('api')
      ? [EventEmitterModule.forRoot(), AuthModule, RateLimitModule, AccountsModule, InstancesModule, ChatwootModule, EventsModule, WhatsAppModule, MessagesModule]
      : [];
    const bridge = config.roles.includes('bridge') ? [BridgeModule] : [];
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, CryptoModule.forRoot(plaintexts), HealthModule, MetricsModule, ...api, ...bridge],
    };
  }
}
