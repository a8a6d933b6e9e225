import { Initial1763700000000 } from './1763700000000-Initial.js';
import { Chatwoot1763800000000 } from './1763800000000-Chatwoot.js';
import { TokenRevocations1764000000000 } from './1764000000000-TokenRevocations.js';
import { WhatsApp1765000000000 } from './1765000000000-WhatsApp.js';
import { RelayedSends1767000000000 } from './1767000000000-RelayedSends.js';
import { IdempotencyHolder1767200000000 } from './1767200000000-IdempotencyHolder.js';
import { IdempotencyAccepted1767400000000 } from './1767400000000-IdempotencyAccepted.js';
import { BRIDGE_MIGRATIONS } from '../../bridge/migrations/index.js';

/** Every committed migration, in order. Listed explicitly so that the built app and ts-node agree. */
export const MIGRATIONS = [Initial1763700000000, Chatwoot1763800000000, ...BRIDGE_MIGRATIONS, TokenRevocations1764000000000, WhatsApp1765000000000, RelayedSends1767000000000, IdempotencyHolder1767200000000, IdempotencyAccepted1767400000000];
