import { OnEvent } from '@nestjs/event-emitter';
import type { CreateInstanceDto } from './dto/create-instance.dto.js';
import type { Instance } from './instance.entity.js';

/**
 * The life of an instance, announced to the modules that hang things on it (chatwoot today, the
 * WhatsApp connection later): they import the instances module, which injects none of them (its
 * creation DTO only borrows the chatwoot validation rules of the inline block). Emitted with
 * EventEmitter2.emitAsync and awaited: every handler has finished, and a handler's failure fails
 * the request, before the instances module goes on.
 */
export const INSTANCE_CREATED = 'instance.created';
export const INSTANCES_LISTED = 'instances.listed';
export const INSTANCE_DELETING = 'instance.deleting';

/** A handler of an instance event; its errors reach the emitter (Nest's default would only log them). */
export function OnInstanceEvent(event: typeof INSTANCE_CREATED | typeof INSTANCES_LISTED | typeof INSTANCE_DELETING): MethodDecorator {
  return OnEvent(event, { suppressErrors: false });
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

/** The instance exists; handlers act on the rest of the creation request and put their part of the answer here. */
export class InstanceCreatedEvent {
  /** Set by the chatwoot module when the request had `chatwootEnabled: true` (SPEC §4). */
  chatwoot: InlineChatwootResult | null = null;

  constructor(
    readonly instance: Instance,
    readonly request: CreateInstanceDto,
  ) {}
}

/** Instances about to be listed; handlers add their summary of each (local data only, SPEC §4). */
export class InstancesListedEvent {
  readonly chatwoot = new Map<string, InstanceChatwootSummary>();

  constructor(readonly instanceIds: string[]) {}
}

/** The instance is about to be deleted; handlers remove what hangs on it, and only then does the row go. */
export class InstanceDeletingEvent {
  constructor(readonly instance: Instance) {}
}
