/**
 * `npm run simulators`: the test suite's doubles of Chatwoot and of Meta's Graph API as standalone
 * servers on 127.0.0.1, to see the success paths without a real Chatwoot or a Meta app (README,
 * "Trying it without Chatwoot or Meta"). Prints the values to use; stops on Ctrl-C.
 *
 * Environment: CHATWOOT_SIMULATOR_PORT (3100), GRAPH_DOUBLE_PORT (3200), SIMULATOR_CONTROL_PORT
 * (3201), SERVER_URL (the server the doubles call: http://127.0.0.1:3000).
 */
import http from 'node:http';
import { ChatwootSimulator } from './chatwoot-simulator.js';
import { GraphApiDouble, inbound, webhookOf } from './graph-api.js';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const serverUrl = (process.env.SERVER_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');

const chatwoot = await ChatwootSimulator.start(port('CHATWOOT_SIMULATOR_PORT', 3100));
const accountId = chatwoot.addAccount();
const admin = chatwoot.addUser(accountId, 'administrator');

const graph = await GraphApiDouble.start('v26.0', port('GRAPH_DOUBLE_PORT', 3200));
const phone = graph.addPhoneNumber({ id: '100000000000001', displayPhoneNumber: '15550001111' });
const verifyToken = 'simulator-verify-token';

// A customer writing to the Cloud number: a webhook signed as Meta would, posted to the server.
const control = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://control');
  const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  // An agent answering in the Chatwoot simulator: its webhook reaches the bridge, which sends it.
  if (req.method === 'POST' && url.pathname === '/reply') {
    try {
      const message = chatwoot.agentReply(accountId, Number(url.searchParams.get('conversation') ?? '1'), { content: url.searchParams.get('text') ?? 'Olá!' });
      return void json(200, { chatwootMessageId: message.id });
    } catch (err) {
      return void json(404, { error: (err as Error).message });
    }
  }
  // What reached "WhatsApp": the sends the Graph API double received.
  if (req.method === 'GET' && url.pathname === '/sent') return void json(200, graph.sent.map((s) => ({ to: s.to, type: s.type, body: s.body })));
  if (req.method !== 'POST' || url.pathname !== '/inbound') return void res.writeHead(404).end();
  const text = url.searchParams.get('text') ?? 'Olá!';
  const from = url.searchParams.get('from') ?? '5511988887777';
  graph
    .postWebhook(`${serverUrl}/webhooks/whatsapp-cloud`, webhookOf(phone, inbound.text(text, { from, name: 'Maria' })))
    .then((answer) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ server: answer.status })))
    .catch((err: Error) => res.writeHead(502).end(err.message));
});
await new Promise<void>((resolve) => control.listen(port('SIMULATOR_CONTROL_PORT', 3201), '127.0.0.1', resolve));
const controlUrl = `http://127.0.0.1:${port('SIMULATOR_CONTROL_PORT', 3201)}`;

process.stdout.write(`Chatwoot simulator  ${chatwoot.url}
  start the server with CHATWOOT_ALLOWED_HOSTS=127.0.0.1 (tenant URLs reach public addresses only otherwise)
  chatwootAccountId   ${accountId}
  chatwootApiToken    ${admin.token}   (an administrator of the account)

Graph API double    ${graph.url}
  start the server with WHATSAPP_CLOUD_API_URL=${graph.url}
  cloudPhoneNumberId  ${phone.id}
  cloudAccessToken    ${phone.token}
  cloudAppSecret      ${phone.appSecret}
  cloudVerifyToken    ${verifyToken}

A customer's message to the Cloud number (a signed webhook to ${serverUrl}):
  curl -X POST '${controlUrl}/inbound?text=Ol%C3%A1'
An agent's reply in conversation 1 of the Chatwoot simulator, and what reached WhatsApp:
  curl -X POST '${controlUrl}/reply?conversation=1&text=Oi%20Maria'
  curl '${controlUrl}/sent'

Ctrl-C stops.
`);

const stop = async () => {
  control.close();
  await Promise.all([chatwoot.close(), graph.stop()]);
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
