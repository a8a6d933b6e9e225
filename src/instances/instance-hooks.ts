import { Injectable } from '@nestjs/common';
import { Instance } from './instance.entity.js';

/** The inline chatwoot block of `POST /api/instance/new`, validated (SPEC §4). */
export interface InlineChatwootRequest {
  chatwootBaseUrl: string;
  chatwootAccountId: number;
  chatwootApiToken: string;
  inboxName?: string;
  signMessages?: boolean;
  ignoreGroups?: boolean;
  startAsPending?: boolean;
  reopenResolved?: boolean;
}

/** The `chatwoot` object of the creation answer (SPEC §4). */
export type InlineChatwootResult =
  | { enabled: true; status: string; bridge_integration_id: string }
  | { enabled: false; status: 'error'; error: string };

/** The `chatwoot` summary of each item of `GET /api/instance/list` (local data only). */
export interface InstanceChatwootSummary {
  enabled: boolean;
  status: 'active' | 'paused' | 'error' | null;
}

/**
 * What the instances module needs from the chatwoot module. The chatwoot module registers itself
 * here at start-up, so that instances never imports it (the dependency points one way).
 */
export interface ChatwootInstanceHook {
  /** Activates inline; never throws for an activation failure (the instance is kept). */
  activateInline(instance: Instance, request: InlineChatwootRequest): Promise<InlineChatwootResult>;
  summaries(instanceIds: string[]): Promise<Map<string, InstanceChatwootSummary>>;
  /**
   * Called before the instance row is deleted: removes its integration exactly as
   * `DELETE /api/chatwoot/delete` does (inbox preserved).
   */
  removeForInstance(instance: Instance): Promise<void>;
}

/** The answer when no chatwoot module is registered: the same as SPEC §5's 503. */
export const CHATWOOT_NOT_CONFIGURED = 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)';

@Injectable()
export class InstanceHooks {
  private chatwoot: ChatwootInstanceHook | null = null;

  registerChatwoot(hook: ChatwootInstanceHook): void {
    this.chatwoot = hook;
  }

  async activateInline(instance: Instance, request: InlineChatwootRequest): Promise<InlineChatwootResult> {
    if (!this.chatwoot) return { enabled: false, status: 'error', error: CHATWOOT_NOT_CONFIGURED };
    return this.chatwoot.activateInline(instance, request);
  }

  async summaries(instanceIds: string[]): Promise<Map<string, InstanceChatwootSummary>> {
    return this.chatwoot ? this.chatwoot.summaries(instanceIds) : new Map();
  }

  async removeForInstance(instance: Instance): Promise<void> {
    if (this.chatwoot) await this.chatwoot.removeForInstance(instance);
  }
}
