import { BridgeIntegration } from './integration.entity.js';
import { BridgeOutboundMessage } from './outbound-message.entity.js';
import { BridgeChat, BridgeMessageLink } from './routing/routing.entities.js';

/** The bridge role's tables; spread into src/database/entities.ts. */
export const BRIDGE_ENTITIES = [BridgeIntegration, BridgeOutboundMessage, BridgeChat, BridgeMessageLink];
