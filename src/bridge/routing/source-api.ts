import WebSocket from 'ws';

/** Where an integration's WhatsApp side is (BRIDGE-API `source`): the API, the instance, the callback token. */
export interface SourceTarget {
  apiUrl: string;
  instance: string;
  token: string;
}

/** One frame of the event stream (SPEC-MESSAGING §10). */
export interface EventFrame {
  event: string;
  seq: number;
  data: Record<string, unknown>;
}

/** What the API told when a stream opened (its `101`'s headers), null where it did not say. */
export interface StreamOpened {
  /** Events up to this `seq` are no longer kept: an `after` below it is refused with 4410. */
  prunedThrough: number | null;
  /** The instance's status then, e.g. `connected`. */
  instanceStatus: string | null;
}

/** The API's answer to a send: the message id, or the refusal as the API worded it. */
export type SendOutcome =
  | { ok: true; messageId: string }
  | { ok: false; retry: boolean; status: number; message: string };

export interface SendText {
  number: string;
  message: string;
  replyTo?: string;
}

export interface SendMedia {
  number: string;
  type: 'image' | 'video' | 'audio' | 'document';
  mediaUrl: string;
  caption?: string;
  fileName?: string;
  replyTo?: string;
}

const SEND_TIMEOUT_MS = 30_000;

/**
 * The bridge's client of the API's messaging routes, with the integration's callback token
 * (SPEC-MESSAGING §11): the event stream, the two send routes, the media download.
 */
export class SourceApi {
  constructor(private readonly target: SourceTarget) {}

  /**
   * Opens `GET /ws/:instance?after=` (without `after`: live events only); `onOpen` once the stream is open, with what its `101` told
   * (this server's headers; absent from another API), frames to `onFrame` in order, `onClose` once.
   */
  stream(
    after: number | null,
    onFrame: (frame: EventFrame) => void,
    onClose: (code: number, reason: string) => void,
    onOpen: (opened: StreamOpened) => void = () => undefined,
  ): { close(): void } {
    const url = `${this.target.apiUrl.replace(/^http/, 'ws')}/ws/${encodeURIComponent(this.target.instance)}${after === null ? '' : `?after=${after}`}`;
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${this.target.token}` }, handshakeTimeout: 10_000 });
    let closed = false;
    const close = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      onClose(code, reason);
    };
    let opened: StreamOpened = { prunedThrough: null, instanceStatus: null };
    ws.on('upgrade', (res) => {
      const pruned = Number(res.headers['x-events-pruned-through']);
      const status = res.headers['x-instance-status'];
      opened = { prunedThrough: Number.isSafeInteger(pruned) && pruned >= 0 ? pruned : null, instanceStatus: typeof status === 'string' ? status : null };
    });
    ws.on('open', () => onOpen(opened));
    ws.on('message', (data) => {
      try {
        onFrame(JSON.parse(data.toString()) as EventFrame);
      } catch {
        ws.terminate();
      }
    });
    ws.on('unexpected-response', (_req, res) => {
      close(res.statusCode ?? 0, `HTTP ${res.statusCode}`);
      ws.terminate();
    });
    ws.on('error', (err) => close(1006, err.message));
    ws.on('close', (code, reason) => close(code, reason.toString()));
    return { close: () => ws.terminate() };
  }

  sendText(body: SendText, idempotencyKey: string): Promise<SendOutcome> {
    return this.send('text', body, idempotencyKey);
  }

  sendMedia(body: SendMedia, idempotencyKey: string): Promise<SendOutcome> {
    return this.send('media', body, idempotencyKey);
  }

  /** Deletes a message this instance sent, for everyone (`POST /api/message/revoke`). */
  async revoke(messageId: string): Promise<SendOutcome> {
    return this.send('revoke', { messageId });
  }

  /** The bytes of a message's media (the event's `media.url`), or null when the API has none. */
  async media(url: string): Promise<{ data: Buffer; contentType: string } | null> {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${this.target.token}` }, signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`media download answered HTTP ${res.status}`);
    return { data: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
  }

  /** A revoke needs no key: revoking twice changes nothing. */
  private async send(route: 'text' | 'media' | 'revoke', body: object, idempotencyKey?: string): Promise<SendOutcome> {
    let res: Response;
    try {
      res = await fetch(`${this.target.apiUrl}/api/message/${route}/${encodeURIComponent(this.target.instance)}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${this.target.token}`,
          'Content-Type': 'application/json',
          ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, retry: true, status: 0, message: `the API could not be reached: ${(err as Error).message}` };
    }
    return outcomeOf(res, await res.json().catch(() => null));
  }
}

function outcomeOf(res: Response, body: unknown): SendOutcome {
  const json = body as { data?: { messageId?: unknown }; error?: { message?: unknown } } | null;
  if (res.ok && typeof json?.data?.messageId === 'string') return { ok: true, messageId: json.data.messageId };
  const message = typeof json?.error?.message === 'string' ? json.error.message : `HTTP ${res.status}`;
  // 429, 5xx and "WhatsApp is unreachable" are worth another try with the same key; a refusal is not.
  const refused = /^WhatsApp (rejected the message|Cloud API rejected the credentials)/.test(message);
  const retry = res.status === 429 || (res.status >= 500 && !refused) || /^Instance is not connected/.test(message);
  return { ok: false, retry, status: res.status, message };
}
