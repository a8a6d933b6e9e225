import { Inject, Injectable, Logger } from '@nestjs/common';
import { AccountSlots, SlotWaitTimeout } from '../bridge-gateway/account-slots.js';
import { BridgeGatewayError } from '../bridge-gateway/bridge-gateway.errors.js';
import { BridgeGateway } from '../bridge-gateway/bridge-gateway.service.js';
import { LiveStatusReader } from '../bridge-gateway/live-status.js';
import { type IntegrationObject, Deadline, type ProvisionRequest } from '../bridge-gateway/bridge-gateway.types.js';
import type { AccountPrincipal } from '../common/auth/principal.js';
import { generateToken, hashToken } from '../common/auth/tokens.js';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import { Messages } from '../common/errors/http-error.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { Instance } from '../instances/instance.entity.js';
import {
  INSTANCE_CREATED, INSTANCE_DELETING, INSTANCES_LISTED, type InstanceCreatedEvent, type InstanceDeletingEvent,
  type InstancesListedEvent, OnInstanceEvent,
} from '../instances/instance.events.js';
import { instanceKey } from '../instances/instance-key.js';
import { InstancesService } from '../instances/instances.service.js';
import { ActivationAttempts } from './activation-attempts.js';
import type { ChatwootIntegration } from './chatwoot-integration.entity.js';
import { ChatwootRepository, type StatusRead, type StatusRow } from './chatwoot.repository.js';
import {
  type ChatwootSettings, settingsOfColumns, settingsOfInlineBlock, toProvisionedChatwoot, toSettingsColumns,
} from './chatwoot-settings.js';
import { ChatwootError, chatwootErrorAnswer } from './chatwoot.errors.js';
import { activationError } from './gateway-failure.js';
import { InstanceLock, LockTimeoutError } from './instance-lock.js';

/** How long a lease outlives the operation's own budget, to cover the local writes after it. */
const LEASE_MARGIN_MS = 30_000;

@Injectable()
export class ChatwootService {
  private readonly logger = new Logger('Chatwoot');

  constructor(
    private readonly instances: InstancesService,
    private readonly gateway: BridgeGateway,
    private readonly liveStatus: LiveStatusReader,
    private readonly slots: AccountSlots,
    private readonly cipher: SecretCipher,
    private readonly lock: InstanceLock,
    private readonly attempts: ActivationAttempts,
    private readonly repo: ChatwootRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return this.gateway.configured;
  }

  async set(principal: AccountPrincipal, instanceName: string, settings: ChatwootSettings): Promise<{ instance: Instance; row: ChatwootIntegration }> {
    const instance = await this.instances.resolve(principal, instanceName);
    return { instance, row: await this.activate(instance, settings) };
  }

  /**
   * SPEC §5 set: provisions on the bridge, then persists; on any failure nothing changes locally.
   * The whole of it, waiting for the instance lock included, fits in the 60 s budget.
   */
  async activate(instance: Instance, settings: ChatwootSettings): Promise<ChatwootIntegration> {
    if (!this.enabled) throw new ChatwootError('NOT_CONFIGURED');
    const budgetMs = this.config.bridgeTimeouts.activationMs;
    const deadline = new Deadline(budgetMs);
    try {
      return await this.lock.run(instance.id, { waitMs: budgetMs, leaseMs: budgetMs + LEASE_MARGIN_MS }, () =>
        this.activateLocked(instance, settings, deadline),
      );
    } catch (err) {
      // The budget ran out waiting for the instance lock or for one of the account's bridge slots.
      if (err instanceof LockTimeoutError || err instanceof SlotWaitTimeout) throw new ChatwootError('ACTIVATION_TIMEOUT', { instance: instance.name });
      throw err;
    }
  }

  private async activateLocked(instance: Instance, settings: ChatwootSettings, deadline: Deadline): Promise<ChatwootIntegration> {
    // Before anything is recorded: an activation that never got a slot sent nothing to reconcile.
    const release = await this.slots.take(instance.accountId, deadline.remainingMs);
    try {
      return await this.activateWithSlot(instance, settings, deadline);
    } finally {
      release();
    }
  }

  private async activateWithSlot(instance: Instance, settings: ChatwootSettings, deadline: Deadline): Promise<ChatwootIntegration> {
    const existing = await this.repo.findByInstance(instance.id);
    const callbackToken = generateToken();
    // Read before the bridge is called: every event from here on is routed, none of the history.
    const request = this.provisionRequest(instance, settings, callbackToken);
    request.source.after = await this.repo.lastEventSeq(instance.id);
    // The instance id is the stable external_id: a retried set adopts what a timed-out one left.
    await this.attempts.record(instance.id);

    let integration: IntegrationObject;
    let created = false;
    try {
      const updated = existing ? await this.gateway.update(existing.bridgeIntegrationId, request, deadline) : null;
      if (updated) {
        integration = updated;
      } else {
        // No integration yet, or the bridge lost it (PUT 404): provision it again (SPEC §5).
        ({ integration } = await this.gateway.create(request, deadline));
        created = true;
      }
    } catch (err) {
      if (err instanceof BridgeGatewayError) {
        throw activationError(err.failure, {
          url: settings.baseUrl, accountId: settings.accountId, instance: instance.name, inboxName: settings.inboxName,
        });
      }
      throw err;
    }

    let row: ChatwootIntegration;
    try {
      row = await this.persist(instance, existing, integration, settings, callbackToken);
    } catch (err) {
      this.logger.error(`persist integration of instance ${instance.id} failed: ${(err as Error).message}`);
      await this.compensate(instance, existing, integration, created);
      throw new ChatwootError('PERSIST_FAILED', { reason: 'database write failed' });
    }
    await this.attempts.clear(instance.id).catch(() => undefined); // reconciliation clears it otherwise
    return row;
  }

  private provisionRequest(instance: Instance, s: ChatwootSettings, callbackToken: string): ProvisionRequest {
    return {
      external_id: instance.id,
      instance: instance.name,
      chatwoot: toProvisionedChatwoot(s),
      source: { api_url: this.config.publicUrl, instance: instance.name, token: callbackToken },
    };
  }

  private async persist(
    instance: Instance,
    existing: ChatwootIntegration | null,
    integration: IntegrationObject,
    s: ChatwootSettings,
    callbackToken: string,
  ): Promise<ChatwootIntegration> {
    return this.repo.saveActivated(instance.id, existing, {
      ...toSettingsColumns(s, this.cipher.encrypt(s.apiToken)),
      bridgeIntegrationId: integration.id,
      chatwootInboxId: integration.inbox_id,
      status: integration.status,
      lastError: integration.last_error,
      callbackTokenHash: hashToken(callbackToken),
    });
  }

  /**
   * The row could not be written: undo on the bridge (delete what no row names, restore what was
   * updated); what fails here is left to reconciliation, which still holds the activation record.
   */
  private async compensate(instance: Instance, existing: ChatwootIntegration | null, integration: IntegrationObject, created: boolean): Promise<void> {
    try {
      if (created || !existing) {
        await this.gateway.delete(integration.id, false);
      } else {
        const previous = settingsOfColumns(existing, this.cipher.decrypt(existing.chatwootApiToken));
        await this.gateway.update(existing.bridgeIntegrationId, this.provisionRequest(instance, previous, generateToken()), new Deadline(this.config.bridgeTimeouts.activationMs));
      }
      await this.attempts.clear(instance.id).catch(() => undefined);
    } catch (err) {
      this.logger.warn(`compensation for instance ${instance.id} failed; reconciliation will settle it: ${(err as Error).message}`);
    }
  }

  /**
   * SPEC §5 list: the local row, with the bridge's live state when it answers (see LiveStatusReader).
   * What the bridge says is kept, so that the instance list (local data only) shows it too.
   */
  async status(principal: AccountPrincipal, instanceName: string): Promise<{ instance: StatusRead['instance']; row: StatusRow; live: IntegrationObject | null }> {
    const found = await this.repo.findStatus(instanceKey(principal, instanceName));
    if (!found) throw new ChatwootError('INSTANCE_NOT_FOUND');
    const { instance, row } = found;
    if (!row) throw new ChatwootError('NO_INTEGRATION');
    let live: IntegrationObject | null = null;
    try {
      // SPEC §7: a bridge slower than 300 ms gets no say in this answer; what it says later is stored.
      const answer = await this.liveStatus.current(row.bridgeIntegrationId, principal.accountId, (late) => void this.remember(row, late));
      if (answer.kind === 'live') live = answer.integration;
    } catch (err) {
      this.logger.debug(`live status of ${row.bridgeIntegrationId} unavailable: ${(err as Error).message}`);
    }
    if (live) await this.remember(row, live);
    return { instance, row, live };
  }

  private async remember(row: StatusRow, live: IntegrationObject): Promise<void> {
    const backfill = row.chatwootInboxId === 0 && live.inbox_id > 0;
    if (!backfill && live.status === row.status && live.last_error === row.lastError) return;
    try {
      await this.repo.recordLiveState(row, live);
      if (backfill) row.chatwootInboxId = live.inbox_id;
    } catch (err) {
      this.logger.warn(`could not record the live state of ${row.bridgeIntegrationId}: ${(err as Error).message}`);
    }
  }

  async deactivate(principal: AccountPrincipal, instanceName: string, deleteInbox: boolean): Promise<void> {
    const instance = await this.instances.resolve(principal, instanceName);
    await this.withDeletionLock(instance, async () => {
      const row = await this.repo.findByInstance(instance.id);
      if (!row) throw new ChatwootError('NOTHING_TO_DELETE');
      await this.remove(row, instance.accountId, deleteInbox);
    });
  }

  private async withDeletionLock(instance: Instance, fn: () => Promise<void>): Promise<void> {
    const { activationMs, deleteMs } = this.config.bridgeTimeouts;
    // A deletion may wait for an activation in flight (at most its budget) before its own call.
    await this.lock.run(instance.id, { waitMs: activationMs + LEASE_MARGIN_MS, leaseMs: deleteMs + LEASE_MARGIN_MS }, fn);
  }

  /**
   * SPEC §5 delete: bridge first, then the row. A failed bridge deletion is queued in the transaction
   * that removes the row, and retried until the bridge confirms.
   */
  private async remove(row: ChatwootIntegration, accountId: string, deleteInbox: boolean): Promise<void> {
    let failure: string | null = null;
    if (this.enabled) {
      try {
        // No slot within the deletion's own budget: a failed call like any other, retried in the background.
        const release = await this.slots.take(accountId, this.config.bridgeTimeouts.deleteMs);
        try {
          await this.gateway.delete(row.bridgeIntegrationId, deleteInbox);
        } finally {
          release();
        }
      } catch (err) {
        failure = err instanceof BridgeGatewayError ? `${err.failure.kind}: ${err.failure.detail}` : (err as Error).message;
      }
    } else {
      failure = 'bridge not configured';
    }
    if (failure) {
      this.logger.warn(`bridge deletion of ${row.bridgeIntegrationId} failed, retrying in the background: ${failure}`);
    }
    await this.repo.deleteIntegration(
      row.id,
      failure
        ? {
            bridgeIntegrationId: row.bridgeIntegrationId,
            deleteInbox,
            attempts: 1,
            lastError: failure,
            nextAttemptAt: new Date(Date.now() + this.config.chatwootWorkerIntervalMs),
          }
        : null,
    );
  }

  /** The inline activation; its failure goes into the creation answer, the instance is kept. */
  @OnInstanceEvent(INSTANCE_CREATED)
  async onInstanceCreated(event: InstanceCreatedEvent): Promise<void> {
    const { instance, request } = event;
    if (!request.chatwootEnabled) return;
    try {
      const row = await this.activate(instance, settingsOfInlineBlock(request));
      event.chatwoot = { enabled: true, status: row.status, bridge_integration_id: row.bridgeIntegrationId };
    } catch (err) {
      if (err instanceof ChatwootError) {
        event.chatwoot = { enabled: false, status: 'error', error: chatwootErrorAnswer(err)[1] };
        return;
      }
      this.logger.error(`inline activation of instance ${instance.id} failed: ${(err as Error).stack ?? String(err)}`);
      event.chatwoot = { enabled: false, status: 'error', error: Messages.internal };
    }
  }

  @OnInstanceEvent(INSTANCES_LISTED)
  async onInstancesListed(event: InstancesListedEvent): Promise<void> {
    for (const [instanceId, status] of await this.repo.statusesOf(event.instanceIds)) {
      event.chatwoot.set(instanceId, { enabled: true, status });
    }
  }

  /** Deleting an instance removes its integration as `DELETE /api/chatwoot/delete` does, inbox preserved. */
  @OnInstanceEvent(INSTANCE_DELETING)
  async onInstanceDeleting({ instance }: InstanceDeletingEvent): Promise<void> {
    await this.withDeletionLock(instance, async () => {
      const row = await this.repo.findByInstance(instance.id);
      if (row) await this.remove(row, instance.accountId, false);
    });
  }
}
