import type { EndpointDoc } from '../openapi/api-endpoint.decorator.js';
import { INSTANCE_LOOKUP_ERRORS } from '../whatsapp/whatsapp.openapi.js';
import { EventFrame } from './dto/event-frame.js';
import { EventsMessages } from './events.messages.js';

export const STREAM_EVENTS: EndpointDoc = {
  summary: "Stream an instance's events (WebSocket)",
  description:
    'A WebSocket (`101 Switching Protocols`): every event of the instance as one JSON text frame (`EventFrame`), in ' +
    '`seq` order. With `after`, first every stored event with a greater `seq`, then live ones, with no gap and no ' +
    'duplicate between the two; without it, only the events stored from the moment the stream opens. The `101` ' +
    'carries `X-Events-Last-Seq` (the last `seq` stored then), `X-Events-Pruned-Through` (every event up to this ' +
    '`seq` was pruned: resume from it after a `4410`) and `X-Instance-Status` (the instance\'s status then). Close codes: `4410` `events after <seq> are no longer kept` (older than ' +
    '`EVENT_RETENTION_HOURS`); `4408` `reader too slow` (more than 1,000 frames unsent: resume with `after`). The ' +
    'server pings every 30 s and closes a connection silent for 60 s. Auth, ownership and rate limit are checked ' +
    'before the upgrade; the token may also come as `?token=` (browsers).',
  auth: 'messaging',
  success: { status: 101, type: EventFrame, description: 'Switching Protocols; then frames like this one' },
  errors: [
    { status: 400, key: 'badAfter', message: EventsMessages.badAfter, when: '`after` is not a non-negative integer' },
    ...INSTANCE_LOOKUP_ERRORS,
    { status: 426, key: 'upgradeRequired', message: EventsMessages.upgradeRequired, when: 'a plain HTTP request (no WebSocket upgrade)' },
  ],
};
