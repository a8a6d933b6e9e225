import { BridgeInit1763900000000 } from './1763900000000-BridgeInit.js';
import { BridgeRouting1766000000000 } from './1766000000000-BridgeRouting.js';
import { BridgeRevoke1767100000000 } from './1767100000000-BridgeRevoke.js';

/** The bridge role's migrations, in order; spread into src/database/migrations/index.ts. */
export const BRIDGE_MIGRATIONS = [BridgeInit1763900000000, BridgeRouting1766000000000, BridgeRevoke1767100000000];
