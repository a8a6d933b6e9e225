/**
 * The Chatwoot double of the tests (test/fakes/chatwoot-simulator.ts) in a process of its own, so
 * that its CPU is neither the server's nor the load generator's (as bench/graph-api-process.ts does
 * for the Graph API double). Driven by its parent (bench/routing.ts) over IPC (`fork`); every
 * command carries an `id` that its answer repeats, so that many may be in flight:
 *   setup        the account and its administrator (→ the API token);
 *   route        webhooks to `publicOrigin` go to `actualOrigin` (the server's BRIDGE_PUBLIC_URL);
 *   inboxes      the account's inboxes; addInboxes creates API inboxes without a webhook;
 *   conversations the account's conversations;
 *   reply        an agent's reply in a conversation (→ its id and the moment it was created);
 *   created      the messages with a `WAID:` source_id created since the last call, with the
 *                moment each was created;
 *   settled      once every webhook generated so far is delivered: the deliveries by outcome, and
 *                how many messages the double still stores;
 *   clock        this process's clock, to bound the skew with the parent's;
 *   counts       how many inbox reads (`GET …/inboxes/{id}`, a health check's) it has answered
 *                so far (bench/capacity.ts finds a health round by them).
 *
 * Times are epoch ms on the high-resolution clock (performance.timeOrigin + performance.now()),
 * which is also the double's own clock (`now`), so a message's createdAt is the moment it was
 * created to a fraction of a millisecond.
 *
 * Memory stays bounded over a long run: the double's record of requests and its log of finished
 * webhooks are emptied as they are read (nothing here needs them), and messages older than
 * KEEP_MS, once reported, are dropped from its store (Chatwoot's flood limit counts the last
 * minute only, and the bridge reads back only a conversation's latest messages). Dropping them is
 * also what keeps the double's cost per message flat: each new message scans its whole store.
 */
import { performance } from 'node:perf_hooks';
import { ChatwootSimulator, type SimMessage, type WebhookDelivery } from '../test/fakes/chatwoot-simulator.js';

/** A message created with a `WAID:` source_id. */
export interface CreatedMessage {
  sourceId: string;
  /** Epoch ms (high resolution). */
  at: number;
  inboxId: number;
  messageType: string;
}

export type ChatwootCommand = { id: number } & (
  | { cmd: 'setup'; accountId: number; agentName: string }
  | { cmd: 'route'; publicOrigin: string; actualOrigin: string }
  | { cmd: 'inboxes' }
  | { cmd: 'addInboxes'; names: string[] }
  | { cmd: 'conversations' }
  | { cmd: 'reply'; conversationId: number; content: string }
  | { cmd: 'created' }
  | { cmd: 'settled' }
  | { cmd: 'clock' }
  | { cmd: 'counts' }
);

export type ChatwootAnswer = { id: number } & (
  | { type: 'ready'; url: string }
  | { type: 'setup'; token: string }
  | { type: 'ok' }
  | { type: 'inboxes'; inboxes: Array<{ id: number; name: string }> }
  | { type: 'conversations'; conversations: Array<{ id: number; inboxId: number; contactId: number }> }
  | { type: 'reply'; messageId: number; at: number }
  | { type: 'created'; messages: CreatedMessage[] }
  | { type: 'settled'; webhooks: Record<string, number>; storedMessages: number }
  | { type: 'clock'; at: number }
  | { type: 'counts'; inboxReads: number }
  | { type: 'error'; message: string }
);

const KEEP_MS = 65_000;
const HARVEST_MS = 100;

const clock = () => performance.timeOrigin + performance.now();
const send = (answer: ChatwootAnswer) => process.send?.(answer);

const sim = await ChatwootSimulator.start();
sim.now = clock;
let accountId = 1;

/** The double's message store (a private field: read for the harvest, trimmed for memory). */
const store = (sim as unknown as { messageById?: unknown }).messageById instanceof Map
  ? (sim as unknown as { messageById: Map<number, SimMessage> }).messageById
  : null;
if (!store) process.stderr.write('chatwoot-process: the simulator has no messageById map; created messages cannot be harvested\n');

let lastHarvested = 0;
let created: CreatedMessage[] = [];
/** Finished webhook deliveries by outcome. */
const webhooks: Record<string, number> = {};
let inboxReads = 0;
const INBOX_READ = /^\/api\/v1\/accounts\/\d+\/inboxes\/\d+$/;

function harvest(): void {
  for (const r of sim.requests) {
    if (r.method === 'GET' && INBOX_READ.test(r.path)) inboxReads += 1;
  }
  sim.requests.length = 0;
  const pending: WebhookDelivery[] = [];
  for (const d of sim.webhookLog) {
    if (d.state === 'pending') pending.push(d);
    else webhooks[d.state] = (webhooks[d.state] ?? 0) + 1;
  }
  sim.webhookLog.length = 0;
  sim.webhookLog.push(...pending);
  if (!store) return;
  const dropBefore = clock() - KEEP_MS;
  for (const [id, m] of store) {
    if (id <= lastHarvested) {
      if (m.createdAt < dropBefore) store.delete(id);
      continue;
    }
    lastHarvested = id;
    if (m.sourceId?.startsWith('WAID:')) created.push({ sourceId: m.sourceId, at: m.createdAt, inboxId: m.inboxId, messageType: m.messageType });
  }
}
setInterval(harvest, HARVEST_MS).unref();

function answer(command: ChatwootCommand): ChatwootAnswer | Promise<ChatwootAnswer> {
  const id = command.id;
  switch (command.cmd) {
    case 'setup': {
      accountId = sim.addAccount(command.accountId, 'Bench');
      return { id, type: 'setup', token: sim.addUser(accountId, 'administrator', { name: command.agentName }).token };
    }
    case 'route':
      sim.routeWebhooks(command.publicOrigin, command.actualOrigin);
      return { id, type: 'ok' };
    case 'inboxes':
      return { id, type: 'inboxes', inboxes: sim.inboxes(accountId).map((i) => ({ id: i.id, name: i.name })) };
    case 'addInboxes':
      return { id, type: 'inboxes', inboxes: command.names.map((name) => ({ id: sim.addInbox(accountId, { name }).id, name })) };
    case 'conversations':
      return { id, type: 'conversations', conversations: sim.conversations(accountId).map((c) => ({ id: c.id, inboxId: c.inboxId, contactId: c.contactId })) };
    case 'reply': {
      const message = sim.agentReply(accountId, command.conversationId, { content: command.content });
      return { id, type: 'reply', messageId: message.id, at: message.createdAt };
    }
    case 'created': {
      harvest();
      const messages = created;
      created = [];
      return { id, type: 'created', messages };
    }
    case 'settled':
      return sim.webhooksSettled().then(() => {
        harvest();
        return { id, type: 'settled', webhooks: { ...webhooks }, storedMessages: store?.size ?? NaN };
      });
    case 'clock':
      return { id, type: 'clock', at: clock() };
    case 'counts':
      harvest();
      return { id, type: 'counts', inboxReads };
  }
}

process.on('message', (command: ChatwootCommand) => {
  void (async () => {
    try {
      send(await answer(command));
    } catch (err) {
      send({ id: command.id, type: 'error', message: (err as Error).message });
    }
  })();
});
process.on('disconnect', () => process.exit(0));
send({ id: 0, type: 'ready', url: sim.url });
