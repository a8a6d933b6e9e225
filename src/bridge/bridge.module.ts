import { Module } from '@nestjs/common';
import { rawBodyCapture } from '../common/http/raw-body.js';
import { LeasesModule } from '../leases/leases.module.js';
import { BridgeAuthGuard } from './bridge-auth.guard.js';
import { ChatwootClient } from './chatwoot-client.js';
import { BridgeFallbackController } from './fallback.controller.js';
import { HealthChecker } from './health-checker.js';
import { InboxResolver } from './inbox-resolver.js';
import { IntegrationsController } from './integrations.controller.js';
import { IntegrationsRepository } from './integrations.repository.js';
import { IntegrationsService } from './integrations.service.js';
import { ProvisioningLock } from './provisioning-lock.js';
import { ChatwootConversations } from './routing/chatwoot-conversations.js';
import { RoutingService } from './routing/routing.service.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * The integration bridge role (BRIDGE-API.md), run when ROLES includes `bridge`. It shares only
 * infrastructure with the API role; the API reaches it over HTTP, also when both run in one process.
 */
@Module({
  imports: [LeasesModule],
  // The fallback controller goes last: Express matches routes in registration order.
  controllers: [IntegrationsController, WebhooksController, BridgeFallbackController],
  providers: [
    // Chatwoot's events carry a whole conversation: a generous cap, still bounded.
    rawBodyCapture('/v1/webhooks', 1024 * 1024),
    BridgeAuthGuard,
    ChatwootClient,
    InboxResolver,
    IntegrationsRepository,
    IntegrationsService,
    ProvisioningLock,
    HealthChecker,
    WebhooksService,
    ChatwootConversations,
    RoutingService,
  ],
  exports: [HealthChecker],
})
export class BridgeModule {}
