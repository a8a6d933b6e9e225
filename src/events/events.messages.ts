/** The answers of `GET /ws/:instance` before the upgrade that SPEC-MESSAGING §10 leaves to us. */
export const EventsMessages = {
  badAfter: 'Invalid query: after must be a non-negative integer',
  upgradeRequired: 'WebSocket upgrade required',
} as const;
