import { Account } from '../accounts/account.entity.js';
import { Instance } from '../instances/instance.entity.js';
import { BridgeDeletion } from '../chatwoot/bridge-deletion.entity.js';
import { ChatwootIntegration } from '../chatwoot/chatwoot-integration.entity.js';

/** Every TypeORM entity of the API role. */
export const ENTITIES = [Account, Instance, ChatwootIntegration, BridgeDeletion];
