import { Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { pathToFileURL } from 'node:url';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DataSource } from 'typeorm';
import type { Dispatcher } from 'undici';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import { rawBodyCapture } from '../common/http/raw-body.js';
import { InstancesModule } from '../instances/instances.module.js';
import { LeasesModule } from '../leases/leases.module.js';
import { MessageStore } from '../messages/message-store.js';
import { MessageStoreModule } from '../messages/message-store.module.js';
import { BaileysAuthStore } from './baileys/baileys-auth-store.js';
import { BaileysSendRelay } from './baileys/baileys-send-relay.js';
import { BaileysOwnership } from './baileys/baileys-ownership.js';
import { BAILEYS_SOCKET_FACTORY, type BaileysSocketFactory, makeBaileysSocketFactory } from './baileys/baileys-socket.js';
import { BAILEYS_SESSION_STORE, BaileysAdapter } from './baileys/baileys.adapter.js';
import { CLOUD_WEBHOOK_BODY_LIMIT, CLOUD_WEBHOOK_PATH, CloudWebhookController } from './cloud/cloud-webhook.controller.js';
import { CloudAdapter } from './cloud/cloud.adapter.js';
import { createGraphDispatcher, GRAPH_DISPATCHER, GraphClient } from './cloud/graph-client.js';
import { ConnectionController } from './connection.controller.js';
import { MediaFetcher } from './media-fetcher.js';
import { INBOUND_SINK } from './whatsapp.port.js';
import { WhatsAppService } from './whatsapp.service.js';

/**
 * Each instance's WhatsApp side (SPEC-MESSAGING §8): the two providers' adapters behind one port,
 * the Baileys connections' ownership across processes, the Cloud API's webhook, and the
 * download of inbound media.
 */
@Module({
  imports: [InstancesModule, LeasesModule, MessageStoreModule],
  controllers: [ConnectionController, CloudWebhookController],
  providers: [
    rawBodyCapture(CLOUD_WEBHOOK_PATH, CLOUD_WEBHOOK_BODY_LIMIT),
    { provide: INBOUND_SINK, useExisting: MessageStore },
    { provide: GRAPH_DISPATCHER, useFactory: createGraphDispatcher },
    GraphClient,
    CloudAdapter,
    {
      provide: BAILEYS_SOCKET_FACTORY,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<BaileysSocketFactory> => {
        if (!config.baileysSocketModule) return makeBaileysSocketFactory();
        new Logger('WhatsApp').warn(`BAILEYS_SOCKET_MODULE is set: Baileys connections come from ${config.baileysSocketModule}, not WhatsApp`);
        const module = (await import(pathToFileURL(config.baileysSocketModule).href)) as { default: () => BaileysSocketFactory };
        return module.default();
      },
    },
    { provide: BAILEYS_SESSION_STORE, inject: [DataSource, SecretCipher], useFactory: (ds: DataSource, cipher: SecretCipher) => new BaileysAuthStore(ds, cipher) },
    BaileysAdapter,
    BaileysOwnership,
    BaileysSendRelay,
    WhatsAppService,
    MediaFetcher,
  ],
  exports: [WhatsAppService, MediaFetcher],
})
export class WhatsAppModule implements OnApplicationShutdown {
  constructor(@Inject(GRAPH_DISPATCHER) private readonly dispatcher: Dispatcher) {}

  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.destroy();
  }
}
