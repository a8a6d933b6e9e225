import { BRIDGE_CALLS_PER_ACCOUNT } from '../../src/bridge-gateway/account-slots.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { eventually, setBody, startWithBridge } from '../support/chatwoot.js';
import { createAccount, createInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

/**
 * SPEC §5 "a tenant cannot degrade another": one account's bridge calls in flight are bounded, so
 * that its activations against a hanging bridge cannot hold the gateway's connections (issue 16:
 * 150 of them held all 128, and another account's status read waited 12.6 s).
 */
describe('one account\'s bridge calls are bounded (SPEC §5)', () => {
  const fake = new FakeBridge();
  let t: TestApp;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake, { overrides: { bridgeTimeouts: { activationMs: 3_000, getMs: 400, deleteMs: 400 } } });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it(`${BRIDGE_CALLS_PER_ACCOUNT} activations of one account reach the bridge at a time; the rest wait within their budget (504), and another account is served meanwhile`, async () => {
    const busy = await createAccount(t);
    const other = await createAccount(t);
    const otherInst = await createInstance(t, other);
    expect((await t.req('POST', `/api/chatwoot/set/${otherInst.name}`, { token: other.token, json: setBody() })).status).toBe(201);
    const names = [];
    for (let i = 0; i < BRIDGE_CALLS_PER_ACCOUNT + 4; i += 1) names.push((await createInstance(t, busy)).name);
    fake.reset();
    fake.behave('create', { kind: 'hang' });

    const sets = names.map((name) => t.req('POST', `/api/chatwoot/set/${name}`, { token: busy.token, json: setBody() }));
    await eventually(() => expect(fake.requestsOf('POST')).toHaveLength(BRIDGE_CALLS_PER_ACCOUNT), 2_000);
    // The other account's update and status read go through while the first account waits.
    const update = await t.req('POST', `/api/chatwoot/set/${otherInst.name}`, { token: other.token, json: setBody({ inboxName: 'other' }) });
    expect(update.status).toBe(201);
    expect((await t.req('GET', `/api/chatwoot/list/${otherInst.name}`, { token: other.token })).body.chatwoot_inbox_name).toBe('other');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requestsOf('POST')).toHaveLength(BRIDGE_CALLS_PER_ACCOUNT);

    const answers = await Promise.all(sets);
    names.forEach((name, i) => {
      expect([answers[i].status, answers[i].body]).toEqual([
        504, envelope(`chatwoot activation timed out after 60s — it may still complete; check GET /api/chatwoot/list/${name}`),
      ]);
    });
  });
});
