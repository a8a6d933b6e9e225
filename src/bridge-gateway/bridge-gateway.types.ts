import type { IntegrationObject } from '../bridge/dto/integration.response.js';

/** BRIDGE-API §1's integration object, as the bridge declares it: one type for both ends. */
export type { IntegrationObject };

/** The body of create and replace (BRIDGE-API §2). */
export interface ProvisionRequest {
  external_id: string;
  instance: string;
  chatwoot: {
    base_url: string;
    account_id: number;
    api_token: string;
    inbox_name: string;
    sign_messages: boolean;
    ignore_groups: boolean;
    start_as_pending: boolean;
    reopen_resolved: boolean;
  };
  /**
   * `after` is this project's addition to BRIDGE-API §2: the instance's last event `seq` when the
   * activation began, where a new integration starts routing (not the retained history).
   */
  source: { api_url: string; instance: string; token: string; after?: number };
}

/** A point in time by which a whole operation must be done (SPEC §5: 60 s for an activation). */
export class Deadline {
  private readonly at: number;

  constructor(budgetMs: number) {
    this.at = Date.now() + budgetMs;
  }

  get remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }
}

const STATUSES = new Set(['active', 'paused', 'error']);

/** True when a parsed body is the integration object; anything else is outside the contract. */
export function isIntegrationObject(value: unknown): value is IntegrationObject {
  const v = value as Record<string, unknown> | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.id === 'string' &&
    v.id !== '' &&
    typeof v.status === 'string' &&
    STATUSES.has(v.status) &&
    Number.isInteger(v.inbox_id) &&
    (v.inbox_id as number) >= 0 &&
    (v.last_error === undefined || typeof v.last_error === 'string')
  );
}
