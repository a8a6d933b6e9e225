import { ApiProperty } from '@nestjs/swagger';
import type { IntegrationObject } from '../../bridge-gateway/bridge-gateway.types.js';
import { rfc3339 } from '../../common/time.js';
import type { ChatwootIntegration } from '../chatwoot-integration.entity.js';
import { type SnakeChatwootFlag, snakeFlagsOf } from '../chatwoot-settings.js';
import type { StatusRow } from '../chatwoot.repository.js';

const STATUS = { type: String, enum: ['active', 'paused', 'error'], example: 'active' } as const;
const TIMESTAMP = { type: String, format: 'date-time', example: '2026-04-20T10:15:30Z' } as const;

/** `201` of `POST /api/chatwoot/set/:instance` (SPEC §5): a bare object, no `success` field. */
export class ChatwootActivatedResponse {
  @ApiProperty({ type: String, example: 'suporte' })
  instance: string;

  @ApiProperty(STATUS)
  status: string;

  @ApiProperty({ type: String, example: 'int_xyz789abc' })
  bridge_integration_id: string;

  @ApiProperty({ type: String, enum: ['chatwoot integration activated'] })
  message: 'chatwoot integration activated';
}

/** `GET /api/chatwoot/list/:instance` (SPEC §5). Never holds the Chatwoot token, in any form. */
export class ChatwootStatusResponse implements Record<SnakeChatwootFlag, boolean> {
  @ApiProperty({ type: String, example: 'suporte' })
  instance_name: string;

  @ApiProperty({ ...STATUS, description: "The bridge's live value when it answered, otherwise the local one." })
  status: string;

  @ApiProperty({ type: String, example: 'int_xyz789abc' })
  bridge_integration_id: string;

  @ApiProperty({ type: String, format: 'uri', example: 'https://chatwoot.example.com' })
  chatwoot_base_url: string;

  @ApiProperty({ type: 'integer', example: 5 })
  chatwoot_account_id: number;

  @ApiProperty({ type: 'integer', example: 42, description: '0 until known.' })
  chatwoot_inbox_id: number;

  @ApiProperty({ type: String, example: 'WhatsApp - Orion' })
  chatwoot_inbox_name: string;

  @ApiProperty({
    type: String,
    example: '',
    description: "The bridge's live value when it answered, otherwise the local one; empty when none.",
  })
  last_error: string;

  @ApiProperty(TIMESTAMP)
  created_at: string;

  @ApiProperty(TIMESTAMP)
  updated_at: string;

  @ApiProperty({ type: Boolean })
  sign_messages: boolean;

  @ApiProperty({ type: Boolean })
  ignore_groups: boolean;

  @ApiProperty({ type: Boolean })
  start_as_pending: boolean;

  @ApiProperty({ type: Boolean })
  reopen_resolved: boolean;
}

/** `200` of `DELETE /api/chatwoot/delete/:instance` (SPEC §5). */
export class ChatwootDeactivatedResponse {
  @ApiProperty({ type: String, enum: ['chatwoot integration deactivated'] })
  message: 'chatwoot integration deactivated';
}

export function toChatwootActivated(instanceName: string, row: ChatwootIntegration): ChatwootActivatedResponse {
  return { instance: instanceName, status: row.status, bridge_integration_id: row.bridgeIntegrationId, message: 'chatwoot integration activated' };
}

/** Local row, with `status` and `last_error` replaced by the bridge's live values when it answered. */
export function toChatwootStatus(instanceName: string, row: StatusRow, live: IntegrationObject | null): ChatwootStatusResponse {
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
    ...snakeFlagsOf(row),
  };
}

export const CHATWOOT_DEACTIVATED: ChatwootDeactivatedResponse = { message: 'chatwoot integration deactivated' };
