import { Account } from '../accounts/account.entity.js';
import { Instance } from '../instances/instance.entity.js';
import { BridgeDeletion } from '../chatwoot/bridge-deletion.entity.js';
import { ChatwootIntegration } from '../chatwoot/chatwoot-integration.entity.js';
import { BRIDGE_ENTITIES } from '../bridge/entities.js';

/** Every TypeORM entity, of both roles (one schema serves every process). */
export const ENTITIES = [Account, Instance, ChatwootIntegration, BridgeDeletion, ...BRIDGE_ENTITIES];
