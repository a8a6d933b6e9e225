import type { BridgeIntegration, IntegrationStatus } from '../integration.entity.js';

/** BRIDGE-API §1. */
export interface IntegrationObject {
  id: string;
  external_id: string;
  instance: string;
  status: IntegrationStatus;
  inbox_id: number;
  inbox_name: string;
  last_error: string;
  updated_at: string;
}

export interface IntegrationList {
  integrations: IntegrationObject[];
}

/** Picks the public fields one by one, so that no secret column can ever be serialised. */
export function toIntegrationObject(row: BridgeIntegration): IntegrationObject {
  return {
    id: row.id,
    external_id: row.externalId,
    instance: row.instance,
    status: row.status,
    inbox_id: row.inboxId,
    inbox_name: row.inboxName,
    last_error: row.lastError,
    updated_at: rfc3339(row.updatedAt),
  };
}

/** RFC 3339 in UTC, to the second (`2026-04-20T10:15:30Z`). */
function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
