import { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody, startWithBridge } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount } from '../support/factories.js';
import { envelope } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { RefusedUpgrade, StreamClient } from '../support/ws.js';

/**
 * SPEC-MESSAGING §11: the callback token the server gives the bridge (`source.token`) is accepted
 * on exactly the event stream, the send routes and the media route, of exactly that instance; on any
 * other route it is an unknown token.
 */
describe('the integration callback token', () => {
  const fake = new FakeBridge();
  let t: TestApp;
  let account: TestAccount;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake, { env: UNLIMITED_RATE_ENV });
    account = await createAccount(t);
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  /** Activates chatwoot for the instance and returns the callback token the bridge was given. */
  async function activate(name: string): Promise<string> {
    const before = fake.requests.length;
    const res = await t.req('POST', `/api/chatwoot/set/${name}`, { token: account.token, json: setBody() });
    expect(res.status).toBe(201);
    const sent = fake.requests.slice(before).find((r) => r.method === 'POST' || r.method === 'PUT')!;
    return (sent.body as { source: { token: string } }).source.token;
  }

  it('is accepted on its instance\'s stream, send and media routes', async () => {
    const instance = await createInstance(t, account);
    const token = await activate(instance.name);
    const stream = await StreamClient.open(t.url, `/ws/${instance.name}`, { authorization: `Bearer ${token}` });
    await stream.close();
    const viaQuery = await StreamClient.open(t.url, `/ws/${instance.name}?token=${token}&after=0`);
    await viaQuery.close();
    // Past auth: the next check answers (the instance has no WhatsApp connection).
    const text = await t.req('POST', `/api/message/text/${instance.name}`, { bearer: token, json: { number: '5511988887777', message: 'hi' } });
    expect([text.status, text.body]).toEqual([400, envelope('Instance is not connected to WhatsApp')]);
    const media = await t.req('GET', `/api/message/media/${instance.name}/wamid.X`, { token });
    expect([media.status, media.body]).toEqual([404, envelope('Media not found')]);
  });

  it('is an unknown token anywhere else, and a mismatch on another instance\'s routes', async () => {
    const instance = await createInstance(t, account);
    const other = await createInstance(t, account);
    const token = await activate(instance.name);
    for (const [method, path] of [
      ['GET', '/api/instance/list'],
      ['GET', `/api/chatwoot/list/${instance.name}`],
      ['GET', `/api/instance/connect/${instance.name}`],
      ['DELETE', `/api/instance/logout/${instance.name}`],
      ['DELETE', `/api/chatwoot/delete/${instance.name}`],
    ] as const) {
      const res = await t.req(method, path, { token });
      expect([method, path, res.status, res.body]).toEqual([method, path, 401, envelope('Invalid token')]);
    }
    const mismatch = await t.req('POST', `/api/message/text/${other.name}`, { token, json: { number: '5511988887777', message: 'hi' } });
    expect([mismatch.status, mismatch.body]).toEqual([403, envelope('Instance token does not match the requested instance')]);
    const stream = (await StreamClient.open(t.url, `/ws/${other.name}`, { token }).catch((e: unknown) => e)) as RefusedUpgrade;
    expect([stream.status, stream.body]).toEqual([403, envelope('Instance token does not match the requested instance')]);
  });

  it('stops working when a new activation replaces it, and when the integration is deleted', async () => {
    const instance = await createInstance(t, account);
    const first = await activate(instance.name);
    const second = await activate(instance.name);
    expect(second).not.toBe(first);
    const send = (token: string) => t.req('POST', `/api/message/text/${instance.name}`, { token, json: { number: '5511988887777', message: 'hi' } });
    expect((await send(first)).status).toBe(401);
    expect((await send(second)).status).toBe(400);
    expect((await t.req('DELETE', `/api/chatwoot/delete/${instance.name}`, { token: account.token })).status).toBe(200);
    expect((await send(second)).body).toEqual(envelope('Invalid token'));
  });
});
