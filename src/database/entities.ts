import { Account } from '../accounts/account.entity.js';
import { Instance } from '../instances/instance.entity.js';
import { BridgeDeletion } from '../chatwoot/bridge-deletion.entity.js';
import { ChatwootIntegration } from '../chatwoot/chatwoot-integration.entity.js';
import { BRIDGE_ENTITIES } from '../bridge/entities.js';
import { InstanceEvent } from '../events/instance-event.entity.js';
import { Lease } from '../leases/lease.entity.js';
import { IdempotencyKey } from '../messages/idempotency-key.entity.js';
import { Message, MessageMediaChunk } from '../messages/message.entity.js';
import { WhatsAppSession, WhatsAppSessionKey } from '../whatsapp/baileys/baileys-session.entity.js';
import { RelayedSend } from '../whatsapp/baileys/relayed-send.entity.js';

/** Every TypeORM entity, of both roles (one schema serves every process). */
export const ENTITIES = [
  Account, Instance, ChatwootIntegration, BridgeDeletion, ...BRIDGE_ENTITIES,
  InstanceEvent, Message, MessageMediaChunk, IdempotencyKey, WhatsAppSession, WhatsAppSessionKey, Lease, RelayedSend,
];
