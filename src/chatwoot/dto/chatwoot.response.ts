import type { BridgeIntegration } from '../../bridge-gateway/bridge-gateway.types.js';
import { rfc3339 } from '../../common/time.js';
import type { ChatwootIntegration } from '../chatwoot-integration.entity.js';

export interface ChatwootActivatedResponse {
  instance: string;
  status: string;
  bridge_integration_id: string;
  message: 'chatwoot integration activated';
}

/** `GET /api/chatwoot/list/:instance` (SPEC §5). Never holds the Chatwoot token, in any form. */
export interface ChatwootStatusResponse {
  instance_name: string;
  status: string;
  bridge_integration_id: string;
  chatwoot_base_url: string;
  chatwoot_account_id: number;
  chatwoot_inbox_id: number;
  chatwoot_inbox_name: string;
  last_error: string;
  created_at: string;
  updated_at: string;
  sign_messages: boolean;
  ignore_groups: boolean;
  start_as_pending: boolean;
  reopen_resolved: boolean;
}

export function toChatwootActivated(instanceName: string, row: ChatwootIntegration): ChatwootActivatedResponse {
  return { instance: instanceName, status: row.status, bridge_integration_id: row.bridgeIntegrationId, message: 'chatwoot integration activated' };
}

/** Local row, with `status` and `last_error` replaced by the bridge's live values when it answered. */
export function toChatwootStatus(instanceName: string, row: ChatwootIntegration, live: BridgeIntegration | null): ChatwootStatusResponse {
  return {
    instance_name: instanceName,
    status: live ? live.status : row.status,
    bridge_integration_id: row.bridgeIntegrationId,
    chatwoot_base_url: row.chatwootBaseUrl,
    chatwoot_account_id: row.chatwootAccountId,
    chatwoot_inbox_id: row.chatwootInboxId,
    chatwoot_inbox_name: row.chatwootInboxName,
    last_error: live ? live.last_error : row.lastError,
    created_at: rfc3339(row.createdAt),
    updated_at: rfc3339(row.updatedAt),
    sign_messages: row.signMessages,
    ignore_groups: row.ignoreGroups,
    start_as_pending: row.startAsPending,
    reopen_resolved: row.reopenResolved,
  };
}

export const CHATWOOT_DEACTIVATED = { message: 'chatwoot integration deactivated' } as const;
