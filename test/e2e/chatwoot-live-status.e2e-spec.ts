import { bridgeError, FakeBridge } from '../fakes/fake-bridge.js';
import { setBody, startWithBridge } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import type { TestApp } from '../support/test-app.js';

describe('live status reads under a failing bridge (SPEC §5 list; no pile-up of 10 s timeouts)', () => {
  const fake = new FakeBridge();
  let t: TestApp;
  let account: TestAccount;
  let inst: TestInstance;
  let id: string;
  const PAUSE_MS = 1_500;

  beforeAll(async () => {
    await fake.start();
    // A 2 s read timeout, so that "answered at once" and "waited for the timeout" stay far apart
    // even on a busy machine.
    t = await startWithBridge(fake, {
      overrides: { liveStatusBreakerPauseMs: PAUSE_MS, bridgeTimeouts: { activationMs: 1_500, getMs: 2_000, deleteMs: 400 } },
    });
    account = await createAccount(t);
    inst = await createInstance(t, account);
    id = (await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() })).body.bridge_integration_id;
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const list = () => t.req('GET', `/api/chatwoot/list/${inst.name}`, { token: account.token });
  const gets = () => fake.requestsOf('GET').filter((r) => r.path === `/v1/integrations/${id}`).length;
  const timed = async () => {
    const started = performance.now();
    const res = await list();
    return { res, ms: performance.now() - started };
  };

  it('shares one bridge GET between concurrent reads of one integration', async () => {
    fake.behave('get', { kind: 'delay', ms: 200 });
    fake.integrations.get(id)!.last_error = 'shared live value';
    const results = await Promise.all(Array.from({ length: 10 }, () => list()));
    for (const r of results) expect(r.body.last_error).toBe('shared live value');
    expect(gets()).toBe(1);
    fake.integrations.get(id)!.last_error = '';
  });

  it('after one timeout, answers from local data at once, then tries the bridge again after the pause', async () => {
    fake.behave('get', { kind: 'hang' });
    const first = await timed();
    expect(first.res.status).toBe(200);
    expect(first.ms).toBeGreaterThanOrEqual(t.config.bridgeTimeouts.getMs - 50);
    expect(gets()).toBe(1);

    for (let i = 0; i < 5; i += 1) {
      const next = await timed();
      expect(next.res.status).toBe(200);
      expect(next.res.body.bridge_integration_id).toBe(id);
      expect(next.ms).toBeLessThan(t.config.bridgeTimeouts.getMs / 2);
    }
    expect(gets()).toBe(1); // the bridge was not asked again while the circuit was open

    fake.reset(); // the bridge recovers
    fake.integrations.get(id)!.status = 'paused';
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS + 100));
    const trial = await list();
    expect(trial.body.status).toBe('paused');
    expect(gets()).toBe(1);
    fake.integrations.get(id)!.status = 'active';
  });

  it('does not make concurrent readers wait for the half-open trial read', async () => {
    fake.behave('get', { kind: 'hang' });
    await list(); // a timeout: the circuit opens
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS + 100));
    const started = performance.now();
    const finished: number[] = [];
    const reads = Array.from({ length: 5 }, () => list().then((r) => (finished.push(performance.now() - started), r)));
    const results = await Promise.all(reads);
    for (const r of results) expect(r.status).toBe(200);
    finished.sort((a, b) => a - b);
    // One reader carried the trial to the hanging bridge (its timeout); the four others did not wait.
    expect(finished[3]).toBeLessThan(t.config.bridgeTimeouts.getMs / 2);
    expect(finished[4]).toBeGreaterThanOrEqual(t.config.bridgeTimeouts.getMs - 50);
    expect(gets()).toBe(2);
    fake.reset();
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS + 100));
  });

  it('opens after 5 consecutive failures of other kinds', async () => {
    // Start from a success: the count is of consecutive failures (earlier tests' timeouts count too).
    expect((await list()).status).toBe(200);
    fake.reset();
    fake.behave('get', bridgeError(500, { code: 'internal', message: 'x' }));
    for (let i = 0; i < 5; i += 1) expect((await list()).status).toBe(200);
    expect(gets()).toBe(5);
    for (let i = 0; i < 3; i += 1) expect((await list()).status).toBe(200);
    expect(gets()).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS + 100));
    fake.reset();
    expect((await list()).status).toBe(200);
    expect(gets()).toBe(1);
  });

  it('does not count a 404 as a failure', async () => {
    const other = await createInstance(t, account);
    const otherId = (await t.req('POST', `/api/chatwoot/set/${other.name}`, { token: account.token, json: setBody() })).body.bridge_integration_id;
    fake.integrations.delete(otherId);
    fake.reset();
    for (let i = 0; i < 7; i += 1) expect((await t.req('GET', `/api/chatwoot/list/${other.name}`, { token: account.token })).status).toBe(200);
    expect(fake.requestsOf('GET').filter((r) => r.path === `/v1/integrations/${otherId}`)).toHaveLength(7);
  });
});
