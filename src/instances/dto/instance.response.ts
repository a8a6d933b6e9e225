import { rfc3339 } from '../../common/time.js';
import { InlineChatwootResult, InstanceChatwootSummary } from '../instance-hooks.js';
import { CreatedInstance, ListedInstance } from '../instances.service.js';

export interface CreatedInstanceResponse {
  success: true;
  message: 'Instance created';
  instance: { name: string; token: string; status: string; created_at: string };
  data: { token: string };
  chatwoot?: InlineChatwootResult;
}

export interface InstanceListResponse {
  success: true;
  message: string;
  instances: Array<{ name: string; status: string; created_at: string; chatwoot: InstanceChatwootSummary }>;
}

export interface DeletedInstanceResponse {
  success: true;
  message: 'Instance deleted';
  instance: { status: 'deleted' };
}

export function toCreatedInstanceResponse({ instance, token, chatwoot }: CreatedInstance): CreatedInstanceResponse {
  return {
    success: true,
    message: 'Instance created',
    instance: { name: instance.name, token, status: instance.status, created_at: rfc3339(instance.createdAt) },
    // SPEC §4: the public docs name both places.
    data: { token },
    ...(chatwoot ? { chatwoot } : {}),
  };
}

export function toInstanceListResponse(items: ListedInstance[]): InstanceListResponse {
  return {
    success: true,
    message: items.length === 1 ? '1 Instance found' : `${items.length} Instances found`,
    instances: items.map(({ instance, chatwoot }) => ({
      name: instance.name,
      status: instance.status,
      created_at: rfc3339(instance.createdAt),
      chatwoot,
    })),
  };
}

export const DELETED_INSTANCE_RESPONSE: DeletedInstanceResponse = {
  success: true,
  message: 'Instance deleted',
  instance: { status: 'deleted' },
};
