import { BridgeInit1763900000000 } from './1763900000000-BridgeInit.js';

/** The bridge role's migrations, in order; spread into src/database/migrations/index.ts. */
export const BRIDGE_MIGRATIONS = [BridgeInit1763900000000];
