/**
 * The routing baseline of bench/routing.ts: a bare `node:http` forwarder doing the inbound work of
 * routing and nothing more. It receives Meta's webhook, checks its `X-Hub-Signature-256` with the
 * number's app secret, and posts each text message to the Chatwoot double as an `incoming` message
 * with `source_id` `WAID:<wamid>`, in a conversation it already knows (contacts and conversations
 * were created before the run, and their ids handed to it); it answers 200 once Chatwoot has
 * answered every post, 502 if one failed. No database, no event stream, no ordering, no retry, no
 * exactly-once: the floor of what the server's routing costs.
 *
 * Chatwoot calls go over one keep-alive pool of 32 sockets, as the bridge's do. Driven by its
 * parent over IPC (`fork`): `config` → `ready` with its URL.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwarderConfig {
  type: 'config';
  /** The Chatwoot double. */
  chatwootUrl: string;
  accountId: number;
  apiToken: string;
  /** Phone number id → app secret. */
  appSecrets: Record<string, string>;
  /** `<phone number id>:<customer digits>` → the conversation's display id. */
  conversations: Record<string, number>;
}

export type ForwarderMessage = { type: 'ready'; url: string };

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function postMessage(config: ForwarderConfig, target: URL, conversationId: number, body: object): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: 'POST',
        path: `/api/v1/accounts/${config.accountId}/conversations/${conversationId}/messages`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), api_access_token: config.apiToken },
        agent,
      },
      (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`Chatwoot answered ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function validSignature(raw: Buffer, secret: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(header.slice(7), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

interface MetaWebhook {
  entry?: Array<{ changes?: Array<{ value?: { metadata?: { phone_number_id?: string }; messages?: Array<{ id: string; from: string; type: string; text?: { body?: string } }> } }> }>;
}

function start(config: ForwarderConfig): void {
  const target = new URL(config.chatwootUrl);
  const secrets = new Map(Object.entries(config.appSecrets));
  const conversations = new Map(Object.entries(config.conversations));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: MetaWebhook;
      try {
        body = JSON.parse(raw.toString('utf8')) as MetaWebhook;
      } catch {
        return void res.writeHead(400).end();
      }
      const posts: Array<Promise<void>> = [];
      let verified = false;
      for (const entry of body.entry ?? []) {
        for (const change of entry.changes ?? []) {
          const phoneId = change.value?.metadata?.phone_number_id ?? '';
          if (!verified) {
            const secret = secrets.get(phoneId);
            if (!secret || !validSignature(raw, secret, req.headers['x-hub-signature-256'])) return void res.writeHead(401).end();
            verified = true;
          }
          for (const m of change.value?.messages ?? []) {
            const conversationId = conversations.get(`${phoneId}:${m.from}`);
            if (m.type !== 'text' || conversationId === undefined) continue;
            posts.push(postMessage(config, target, conversationId, { content: m.text?.body ?? '', message_type: 'incoming', source_id: `WAID:${m.id}` }));
          }
        }
      }
      Promise.all(posts).then(
        () => res.writeHead(200, { 'content-type': 'text/plain' }).end('EVENT_RECEIVED'),
        () => res.writeHead(502).end(),
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.send?.({ type: 'ready', url: `http://127.0.0.1:${port}` } satisfies ForwarderMessage);
  });
}

process.once('message', (message: ForwarderConfig) => {
  if (message.type === 'config') start(message);
});
process.on('disconnect', () => process.exit(0));
