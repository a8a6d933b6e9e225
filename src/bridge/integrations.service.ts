import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { uniqueViolation } from '../database/db-errors.js';
import { BridgeError, integrationNotFound } from './bridge.errors.js';
import { ChatwootClient, chatwootTargetOf } from './chatwoot-client.js';
import { ChatwootHttpError, isChatwootCallError, toBridgeError } from './chatwoot-errors.js';
import type { IntegrationConfigDto } from './dto/integration-config.dto.js';
import { InboxResolver, type ResolvedInbox } from './inbox-resolver.js';
import type { BridgeIntegration } from './integration.entity.js';
import { type IntegrationConfiguration, IntegrationsRepository } from './integrations.repository.js';
import { ProvisioningLock } from './provisioning-lock.js';
import { RoutingService } from './routing/routing.service.js';

export interface CreatedIntegration {
  integration: BridgeIntegration;
  /** False when the external_id existed and its integration was reconfigured (BRIDGE-API §2: 200). */
  created: boolean;
}

/** `int_` + 80 random bits in lowercase base32: unguessable, and safe in a URL path. */
function newIntegrationId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `int_${Array.from(randomBytes(16), (b) => alphabet[b & 31]).join('')}`;
}

/** The lock of one integration's changes; prefixed so that no external_id can name an inbox's lock. */
function externalIdLockKey(externalId: string): string {
  return `external_id:${externalId}`;
}

/**
 * Serialises the provisionings that may pick one inbox (same Chatwoot, account and inbox name),
 * from choosing the inbox until the row names it: otherwise two integrations could both find the
 * inbox free and the second would re-point it (BRIDGE-API §4 `inbox_in_use`). Always taken inside
 * the external_id's lock, never around it, so that the two cannot wait on each other.
 */
function inboxLockKey(dto: IntegrationConfigDto): string {
  return `inbox:${dto.chatwoot.base_url}|${dto.chatwoot.account_id}|${dto.chatwoot.inbox_name}`;
}

/** BRIDGE-API §2: create, replace, read, look up and delete integrations. */
@Injectable()
export class IntegrationsService {
  private readonly logger = new Logger('Bridge');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: IntegrationsRepository,
    private readonly lock: ProvisioningLock,
    private readonly inboxes: InboxResolver,
    private readonly chatwoot: ChatwootClient,
    private readonly cipher: SecretCipher,
    private readonly routing: RoutingService,
  ) {}

  /** Idempotent on external_id (BRIDGE-API §2), so that a caller may always retry a create that timed out. */
  async create(dto: IntegrationConfigDto): Promise<CreatedIntegration> {
    return this.lock.run(externalIdLockKey(dto.external_id), async () => {
      const existing = await this.repo.findByExternalId(dto.external_id);
      if (existing) return { integration: await this.reconfigure(existing, dto), created: false };

      const id = newIntegrationId();
      const webhookSecret = randomBytes(32).toString('base64url');
      try {
        const integration = await this.lock.run(inboxLockKey(dto), async () => {
          const inbox = await this.resolveInbox(dto, id, webhookSecret);
          const inserted = await this.repo.insertProvisioned(id, this.cipher.encrypt(webhookSecret), this.configuration(dto, inbox), dto.source.after ?? 0);
          this.logger.log(`integration ${id} created (external_id ${dto.external_id}, inbox ${inbox.id})`);
          return inserted;
        });
        this.routing.restart(id);
        return { integration, created: true };
      } catch (err) {
        // Only a process outside the lock can have won (the lock covers every process on one
        // database); adopt its integration rather than fail the caller.
        if (uniqueViolation(err) !== 'UQ_bridge_integrations_external_id') throw err;
        const winner = await this.repo.findByExternalId(dto.external_id);
        if (!winner) throw err;
        return { integration: await this.reconfigure(winner, dto), created: false };
      }
    });
  }

  /** BRIDGE-API §2 PUT: the same body as create, re-verified and re-resolved. */
  async replace(id: string, dto: IntegrationConfigDto): Promise<BridgeIntegration> {
    const row = await this.get(id);
    if (row.externalId !== dto.external_id) {
      throw new BridgeError('invalid_request', `external_id cannot change (integration ${id} has another external_id)`);
    }
    return this.lock.run(externalIdLockKey(row.externalId), async () => this.reconfigure(await this.get(id), dto));
  }

  async get(id: string): Promise<BridgeIntegration> {
    const row = await this.repo.findById(id);
    if (!row) throw integrationNotFound(id);
    return row;
  }

  async findByExternalId(externalId: string): Promise<BridgeIntegration[]> {
    const row = await this.repo.findByExternalId(externalId);
    return row ? [row] : [];
  }

  /** The inbox stays unless asked; when Chatwoot refuses to delete it, the integration stays, so that a retry can. */
  async remove(id: string, deleteInbox: boolean): Promise<void> {
    const row = await this.get(id);
    await this.lock.run(externalIdLockKey(row.externalId), async () => {
      const current = await this.get(id);
      if (deleteInbox && current.inboxId > 0) {
        try {
          await this.chatwoot.deleteInbox(chatwootTargetOf(current, this.cipher), current.inboxId);
        } catch (err) {
          // Already gone is what was asked for.
          if (!(err instanceof ChatwootHttpError && err.status === 404)) throw this.translate(err);
        }
      }
      await this.routing.stop(id);
      await this.repo.deleteById(id);
      this.logger.log(`integration ${id} deleted${deleteInbox ? ` with its inbox ${current.inboxId}` : ''}`);
    });
  }

  webhookUrl(id: string, webhookSecret: string): string {
    return `${this.config.bridgePublicUrl}/v1/webhooks/${id}/${webhookSecret}`;
  }

  /** Applies a configuration to an existing integration; on failure the row stays as it was. */
  private async reconfigure(row: BridgeIntegration, dto: IntegrationConfigDto): Promise<BridgeIntegration> {
    const integration = await this.lock.run(inboxLockKey(dto), async () => {
      const inbox = await this.resolveInbox(dto, row.id, this.cipher.decrypt(row.webhookSecretEncrypted));
      const saved = await this.repo.saveReconfigured(row.id, this.configuration(dto, inbox));
      this.logger.log(`integration ${row.id} reconfigured (inbox ${inbox.id})`);
      return saved;
    });
    this.routing.restart(row.id);
    return integration;
  }

  private async resolveInbox(dto: IntegrationConfigDto, id: string, webhookSecret: string): Promise<ResolvedInbox> {
    const target = { baseUrl: dto.chatwoot.base_url, accountId: dto.chatwoot.account_id, apiToken: dto.chatwoot.api_token };
    try {
      return await this.inboxes.resolve(target, dto.chatwoot.inbox_name, id, this.webhookUrl(id, webhookSecret));
    } catch (err) {
      throw this.translate(err);
    }
  }

  private translate(err: unknown): unknown {
    return isChatwootCallError(err) ? toBridgeError(err) : err;
  }

  private configuration(dto: IntegrationConfigDto, inbox: ResolvedInbox): IntegrationConfiguration {
    const c = dto.chatwoot;
    return {
      externalId: dto.external_id,
      instance: dto.instance,
      chatwootBaseUrl: c.base_url,
      chatwootAccountId: c.account_id,
      chatwootApiTokenEncrypted: this.cipher.encrypt(c.api_token),
      // Chatwoot's name for it, which is the one asked for (reuse matches names exactly).
      inboxName: inbox.name,
      inboxId: inbox.id,
      inboxSigningSecretEncrypted: inbox.signingSecret ? this.cipher.encrypt(inbox.signingSecret) : null,
      signMessages: c.sign_messages ?? false,
      ignoreGroups: c.ignore_groups ?? false,
      startAsPending: c.start_as_pending ?? false,
      reopenResolved: c.reopen_resolved ?? false,
      sourceApiUrl: dto.source.api_url,
      sourceInstance: dto.source.instance,
      sourceTokenEncrypted: this.cipher.encrypt(dto.source.token),
    };
  }
}
