import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { rfc3339 } from '../../common/time.js';
import { CreatedInstance, ListedInstance } from '../instances.service.js';

const TIMESTAMP = { type: String, format: 'date-time', example: '2026-04-20T10:15:30Z' } as const;
const INSTANCE_STATUS = {
  type: String,
  example: 'disconnected',
  description: 'This server has no WhatsApp connection: an instance stays `disconnected` (SPEC §4).',
} as const;
const CHATWOOT_STATUSES = ['active', 'paused', 'error'];

export class CreatedInstanceInfo {
  @ApiProperty({ type: String, example: 'suporte' })
  name: string;

  @ApiProperty({ type: String, description: 'The TokenInstance: shown only in this answer.' })
  token: string;

  @ApiProperty(INSTANCE_STATUS)
  status: string;

  @ApiProperty(TIMESTAMP)
  created_at: string;
}

export class InstanceTokenData {
  @ApiProperty({ type: String, description: 'Repeats `instance.token` (the public docs name both places).' })
  token: string;
}

/** `chatwoot` of the creation answer when the inline activation succeeded. */
export class InlineChatwootActivated {
  @ApiProperty({ type: Boolean, enum: [true] })
  enabled: true;

  @ApiProperty({ type: String, enum: CHATWOOT_STATUSES, example: 'active' })
  status: string;

  @ApiProperty({ type: String, example: 'int_xyz789abc' })
  bridge_integration_id: string;
}

/** `chatwoot` of the creation answer when the inline activation failed: the instance exists all the same. */
export class InlineChatwootFailed {
  @ApiProperty({ type: Boolean, enum: [false] })
  enabled: false;

  @ApiProperty({ type: String, enum: ['error'] })
  status: 'error';

  @ApiProperty({
    type: String,
    description: 'The message `POST /api/chatwoot/set` would have answered (SPEC §5).',
    example: 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)',
  })
  error: string;
}

/** `201` of `POST /api/instance/new` (SPEC §4). */
export class CreatedInstanceResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Instance created'] })
  message: 'Instance created';

  @ApiProperty({ type: CreatedInstanceInfo })
  instance: CreatedInstanceInfo;

  @ApiProperty({ type: InstanceTokenData })
  data: InstanceTokenData;

  @ApiPropertyOptional({
    description: 'Present only when `chatwootEnabled` was true. An activation failure does not abort the creation.',
    oneOf: [{ $ref: getSchemaPath(InlineChatwootActivated) }, { $ref: getSchemaPath(InlineChatwootFailed) }],
  })
  chatwoot?: InlineChatwootActivated | InlineChatwootFailed;
}

export class ListedInstanceChatwoot {
  @ApiProperty({ type: Boolean })
  enabled: boolean;

  @ApiProperty({ type: String, enum: CHATWOOT_STATUSES, nullable: true, description: 'null when the instance has no integration.' })
  status: 'active' | 'paused' | 'error' | null;
}

export class ListedInstanceItem {
  @ApiProperty({ type: String, example: 'suporte' })
  name: string;

  @ApiProperty(INSTANCE_STATUS)
  status: string;

  @ApiProperty(TIMESTAMP)
  created_at: string;

  @ApiProperty({ type: ListedInstanceChatwoot, description: 'Local data only (no bridge call).' })
  chatwoot: ListedInstanceChatwoot;
}

/** `200` of `GET /api/instance/list` (SPEC §4). */
export class InstanceListResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, description: '`<N> Instances found`, or `1 Instance found`.', example: '2 Instances found' })
  message: string;

  @ApiProperty({ type: ListedInstanceItem, isArray: true })
  instances: ListedInstanceItem[];
}

export class DeletedInstanceState {
  @ApiProperty({ type: String, enum: ['deleted'] })
  status: 'deleted';
}

/** `200` of `DELETE /api/instance/delete/:instance` (SPEC §4). */
export class DeletedInstanceResponse {
  @ApiProperty({ type: Boolean, enum: [true] })
  success: true;

  @ApiProperty({ type: String, enum: ['Instance deleted'] })
  message: 'Instance deleted';

  @ApiProperty({ type: DeletedInstanceState })
  instance: DeletedInstanceState;
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
