import { BridgeIntegration } from './integration.entity.js';
import { BridgeOutboundMessage } from './outbound-message.entity.js';

/** The bridge role's tables; spread into src/database/entities.ts. */
export const BRIDGE_ENTITIES = [BridgeIntegration, BridgeOutboundMessage];
