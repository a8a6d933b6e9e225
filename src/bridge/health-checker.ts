import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SecretCipher } from '../common/crypto/secret-cipher.js';
import type { AppConfig } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Fleet } from '../leases/fleet.js';
import { API_CHANNEL_TYPE, ChatwootClient, chatwootTargetOf } from './chatwoot-client.js';
import { type ChatwootCallError, isChatwootCallError, toBridgeError } from './chatwoot-errors.js';
import type { BridgeIntegration } from './integration.entity.js';
import { type HealthVerdict, IntegrationsRepository } from './integrations.repository.js';

/** Checks in flight at once: bounded, so that many integrations do not flood Chatwoot or the pool. */
const CONCURRENCY = 4;

/** The `last_error` a failed check leaves, saying what the operator has to fix. */
function healthFailureMessage(err: ChatwootCallError, row: Pick<BridgeIntegration, 'inboxId' | 'chatwootAccountId'>): string {
  const e = toBridgeError(err);
  switch (e.reason) {
    case 'token_rejected':
      return `Chatwoot rejected the API token (revoked or invalid): ${e.message}`;
    case 'forbidden':
      return `Chatwoot denied access to inbox ${row.inboxId} of account ${row.chatwootAccountId} (the token lost its rights): ${e.message}`;
    case 'not_found':
      return `Chatwoot inbox ${row.inboxId} of account ${row.chatwootAccountId} was not found (removed in Chatwoot?): ${e.message}`;
    case 'unreachable':
      return `Chatwoot is unreachable: ${e.message}`;
    case 'blocked_address':
      return `Chatwoot's address is not allowed (CHATWOOT_ALLOWED_HOSTS): ${e.message}`;
    case 'invalid':
    case 'upstream_error':
    case undefined:
      return `Chatwoot answered with an error: ${e.message}`;
  }
}

/**
 * BRIDGE-API §1's live state: each integration is checked against Chatwoot periodically, `error`
 * with a reason or `active`; by one bridge process of the fleet at a time (the job's lease).
 */
@Injectable()
export class HealthChecker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BridgeHealth');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Cancels the checks' own Chatwoot calls on shutdown; provisioning calls are left to finish. */
  private readonly abort = new AbortController();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: IntegrationsRepository,
    private readonly chatwoot: ChatwootClient,
    private readonly cipher: SecretCipher,
    private readonly fleet: Fleet,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.bridgeHealthIntervalSeconds;
    if (seconds <= 0) return;
    this.timer = setInterval(() => this.tick(), seconds * 1000);
    // A pending check must not keep the process alive on shutdown.
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    // Cut the checks in flight rather than wait out their timeouts; their verdicts are not stored.
    this.abort.abort();
    await this.running;
  }

  /** A tick that finds the previous round still running skips: rounds never pile up. */
  private tick(): void {
    if (this.running || this.stopping) return;
    this.running = this.fleet
      .runsJob('bridge-health')
      .then((mine) => (mine ? this.checkAll() : undefined))
      .catch((err: unknown) => this.logger.error(`health round failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.running = undefined;
      });
  }

  async checkAll(): Promise<void> {
    const queue = await this.repo.listAll();
    const worker = async () => {
      for (let row = queue.shift(); row && !this.stopping; row = queue.shift()) {
        const id = row.id;
        // One broken row (a secret under a retired key, say) must not stop the round.
        await this.checkOne(row).catch((err: unknown) =>
          this.logger.error(`integration ${id}: health check failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }

  async checkOne(row: BridgeIntegration): Promise<HealthVerdict> {
    const verdict = await this.probe(row);
    const statusChanged = verdict.status !== row.status || verdict.lastError !== row.lastError;
    if (this.stopping || (!statusChanged && verdict.inboxSigningSecretEncrypted === undefined)) return verdict;
    try {
      const applied = await this.repo.saveHealth(row.id, row.revision, verdict, statusChanged);
      if (applied && verdict.status !== row.status) {
        this.logger.log(`integration ${row.id}: ${row.status} -> ${verdict.status}${verdict.lastError ? `: ${verdict.lastError}` : ''}`);
      }
    } catch (err) {
      this.logger.error(`integration ${row.id}: cannot store health: ${err instanceof Error ? err.message : String(err)}`);
    }
    return verdict;
  }

  private async probe(row: BridgeIntegration): Promise<HealthVerdict> {
    let target;
    try {
      target = chatwootTargetOf(row, this.cipher);
    } catch (err) {
      return { status: 'error', lastError: `the stored Chatwoot API token cannot be decrypted (${err instanceof Error ? err.message : 'unknown error'}); set the integration again` };
    }
    try {
      const inbox = await this.chatwoot.getInbox(target, row.inboxId, this.abort.signal);
      if (inbox.channelType !== API_CHANNEL_TYPE) {
        return { status: 'error', lastError: `Chatwoot inbox ${row.inboxId} is a ${inbox.channelType} inbox, not an API channel` };
      }
      // Healthy: `error` recovers; `paused` is the routing's business, not the check's.
      const status = row.status === 'error' ? 'active' : row.status;
      return { status, lastError: '', ...this.rotatedSigningSecret(row, inbox.secret) };
    } catch (err) {
      if (!isChatwootCallError(err)) throw err;
      return { status: 'error', lastError: healthFailureMessage(err, row) };
    }
  }

  /** Chatwoot's "reset secret" changes the signing key; follow it, or every delivery would fail. */
  private rotatedSigningSecret(row: BridgeIntegration, current: string | null): { inboxSigningSecretEncrypted?: string } {
    if (!current) return {};
    const stored = row.inboxSigningSecretEncrypted ? this.cipher.decrypt(row.inboxSigningSecretEncrypted) : null;
    return stored === current ? {} : { inboxSigningSecretEncrypted: this.cipher.encrypt(current) };
  }
}
