import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorEnvelope } from '../errors/envelope.js';

/** What Node's parser refused, answered in the envelope (SPEC §7) rather than Node's bare status line. */
function answerFor(code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request headers too large'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request timeout'];
    default:
      return [400, 'Bad request'];
  }
}

/**
 * The http.Server's `clientError` listener: requests that Node's parser rejects (a header over
 * 16 KiB, a malformed request line, Content-Length together with Transfer-Encoding) never reach
 * Express, so they get the envelope here, with the headers every answer carries. As Node's own
 * handler does, nothing is written once a response on that connection has started.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, message] = answerFor(err.code);
  const body = JSON.stringify(errorEnvelope(message));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Content-Type-Options: nosniff',
      `X-Request-Id: ${randomUUID()}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
  // The rest of what the client sends is not read: the connection ends with this answer.
  (socket as Duplex & { destroySoon?: () => void }).destroySoon?.();
}
