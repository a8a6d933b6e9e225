import { rfc3339 } from '../../common/time.js';
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
