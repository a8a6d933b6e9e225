import net from 'node:net';

/** What a raw HTTP/1.1 exchange saw: the first response, and how much of the upload the server took. */
export interface RawExchange {
  status: number;
  headers: Record<string, string>;
  /** The response body, decoded when JSON. */
  body: any;
  /** Bytes of the request (head and body) the socket accepted before it closed. */
  bytesWritten: number;
  /** Whether the whole upload (with its terminating chunk) was written before the server answered. */
  uploadFinished: boolean;
}

export interface RawRequest {
  /** The request head as sent, up to (not including) the blank line; `\r\n` between lines. */
  head: string;
  /** Body bytes sent after the head, as they are (a declared Content-Length need not match). */
  body?: Buffer;
  /** Instead of `body`: 64 KiB chunks (Transfer-Encoding: chunked, in the head) until this many bytes or the server closes. */
  chunkedUploadBytes?: number;
  timeoutMs?: number;
}

/**
 * One request over a plain TCP connection, for what an HTTP client library would refuse to send
 * (a malformed request line, an endless chunked upload) or hide (when the server answered). Resolves
 * once the server has closed the connection: a server that keeps it open fails the exchange.
 */
export function rawExchange(port: number, req: RawRequest): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let uploadFinished = false;
    let answeredAt: number | null = null;
    let settled = false;
    const timer = setTimeout(
      () => finish(new Error(`connection still open after ${req.timeoutMs ?? 30_000} ms; received ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 300))}`)),
      req.timeoutMs ?? 30_000,
    );
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) return reject(err);
      const parsed = parseResponse(Buffer.concat(received));
      if (!parsed) return reject(new Error(`no HTTP response: ${JSON.stringify(Buffer.concat(received).toString('latin1').slice(0, 300))}`));
      resolve({ ...parsed, bytesWritten: socket.bytesWritten, uploadFinished });
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      answeredAt ??= Date.now();
    });
    // The server may reset a connection whose upload it stopped reading: what arrived still counts.
    socket.on('error', () => finish());
    socket.on('close', () => finish());
    socket.on('connect', () => {
      socket.write(`${req.head}\r\n\r\n`);
      if (req.body) socket.write(req.body);
      if (req.chunkedUploadBytes !== undefined) void upload(req.chunkedUploadBytes);
    });
    const upload = async (total: number) => {
      const payload = Buffer.alloc(64 * 1024, 'y');
      const frame = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n')]);
      for (let sent = 0; sent < total; sent += payload.length) {
        if (socket.destroyed || answeredAt !== null) return;
        if (!socket.write(frame)) await new Promise<void>((r) => { socket.once('drain', r); socket.once('close', r); });
      }
      if (socket.destroyed || answeredAt !== null) return;
      uploadFinished = true;
      socket.write('0\r\n\r\n');
    };
  });
}

function parseResponse(raw: Buffer): Omit<RawExchange, 'bytesWritten' | 'uploadFinished'> | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const text = raw.subarray(end + 4, end + 4 + length).toString('utf8');
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status, headers, body };
}
