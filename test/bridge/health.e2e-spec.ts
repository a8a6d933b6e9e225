import { setTimeout as sleep } from 'node:timers/promises';
import { type BridgeHarness, integrationBody, startBridge } from './bridge-support.js';

/** The live state of BRIDGE-API §1: periodic checks against Chatwoot flip `status` and `last_error`. */
describe('bridge health checks (BRIDGE-API §1 live state)', () => {
  describe('transitions (checker called directly)', () => {
    let h: BridgeHarness;
    const tokens: string[] = [];
    beforeAll(async () => {
      h = await startBridge({ env: { CHATWOOT_TIMEOUT_MS: '400' } });
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(() => {
      h.sim.clearFailures();
      h.sim.hang(false);
    });

    async function create(): Promise<{ id: string; inboxId: number; token: string; body: Record<string, unknown> }> {
      const user = h.sim.addUser(h.accountId);
      tokens.push(user.token);
      const body = integrationBody(h, { chatwoot: { api_token: user.token, inbox_name: `Inbox ${user.id}` } });
      const res = await h.call('POST', '/v1/integrations', { json: body });
      expect(res.status).toBe(201);
      return { id: res.body.id, inboxId: res.body.inbox_id, token: user.token, body };
    }

    const state = async (id: string) => {
      const res = await h.call('GET', `/v1/integrations/${id}`);
      expect(res.status).toBe(200);
      return { status: res.body.status, last_error: res.body.last_error };
    };

    it('stays active while Chatwoot agrees, without touching the row', async () => {
      const { id } = await create();
      const before = await h.call('GET', `/v1/integrations/${id}`);
      await h.checker().checkAll();
      const after = await h.call('GET', `/v1/integrations/${id}`);
      expect(after.body).toEqual(before.body);
      expect(h.sim.requestsMatching('GET', /\/inboxes\/\d+$/).length).toBeGreaterThan(0);
    });

    it('turns error when the token is revoked, and active again when it is restored', async () => {
      const { id, inboxId, token } = await create();
      h.sim.revokeToken(token);
      await h.checker().checkAll();
      expect(await state(id)).toEqual({
        status: 'error',
        last_error: `Chatwoot rejected the API token (revoked or invalid): ${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes/${inboxId} HTTP 401: {"error":"Invalid Access Token"}`,
      });
      h.sim.restoreToken(token);
      await h.checker().checkAll();
      expect(await state(id)).toEqual({ status: 'active', last_error: '' });
      expect(h.t.logs.text()).toContain(`integration ${id}: active -> error: Chatwoot rejected the API token`);
      expect(h.t.logs.text()).toContain(`integration ${id}: error -> active`);
    });

    it('turns error when the inbox is removed in Chatwoot, and active once a PUT re-resolves it', async () => {
      const { id, inboxId, body } = await create();
      h.sim.deleteInbox(inboxId);
      await h.checker().checkAll();
      expect(await state(id)).toEqual({
        status: 'error',
        last_error: `Chatwoot inbox ${inboxId} of account ${h.accountId} was not found (removed in Chatwoot?): ${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes/${inboxId} HTTP 404: {"error":"Resource could not be found"}`,
      });
      const put = await h.call('PUT', `/v1/integrations/${id}`, { json: body });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ status: 'active', last_error: '' });
      expect(put.body.inbox_id).not.toBe(inboxId);
      await h.checker().checkAll();
      expect(await state(id)).toEqual({ status: 'active', last_error: '' });
    });

    it('turns error when the token loses its rights on the inbox', async () => {
      const { id, inboxId, token } = await create();
      h.sim.setRole(token, h.accountId, 'agent');
      await h.checker().checkAll();
      expect(await state(id)).toEqual({
        status: 'error',
        last_error: `Chatwoot denied access to inbox ${inboxId} of account ${h.accountId} (the token lost its rights): ${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes/${inboxId} HTTP 401: {"error":"You are not authorized to do this action"}`,
      });
      h.sim.setRole(token, h.accountId, 'administrator');
      await h.checker().checkAll();
      expect(await state(id)).toEqual({ status: 'active', last_error: '' });
    });

    it('turns error while Chatwoot does not answer, and recovers', async () => {
      const { id, inboxId } = await create();
      h.sim.hang();
      const row = (await h.rows()).find((r) => r.id === id)!;
      await h.checker().checkOne(row);
      expect(await state(id)).toEqual({
        status: 'error',
        last_error: `Chatwoot is unreachable: Get "${h.sim.url}/api/v1/accounts/${h.accountId}/inboxes/${inboxId}": i/o timeout: no answer within 400ms (ETIMEDOUT)`,
      });
      h.sim.hang(false);
      await h.checker().checkAll();
      expect(await state(id)).toEqual({ status: 'active', last_error: '' });
    });

    it('moves updated_at with the status, not with a check that changes nothing', async () => {
      const { id, token } = await create();
      // The stored value, to the millisecond (the API shows whole seconds).
      const updatedAt = async () => (await h.rows()).find((r) => r.id === id)!.updatedAt.getTime();
      const first = await updatedAt();
      await sleep(20);
      await h.checker().checkAll();
      expect(await updatedAt()).toBe(first);
      h.sim.revokeToken(token);
      await h.checker().checkAll();
      expect(await updatedAt()).toBeGreaterThan(first);
      h.sim.restoreToken(token);
    });

    it('does not let a check that read the row before a PUT overwrite the new state', async () => {
      const { id, token, body } = await create();
      const stale = (await h.rows()).find((r) => r.id === id)!;
      // The PUT brings a new token; the old one is then revoked.
      const fresh = h.sim.addUser(h.accountId);
      tokens.push(fresh.token);
      const put = await h.call('PUT', `/v1/integrations/${id}`, { json: { ...body, chatwoot: { ...(body.chatwoot as object), api_token: fresh.token } } });
      expect(put.status).toBe(200);
      h.sim.revokeToken(token);
      const verdict = await h.checker().checkOne(stale);
      expect(verdict.status).toBe('error');
      expect(await state(id)).toEqual({ status: 'active', last_error: '' });
    });

    it('never logs a Chatwoot token', () => {
      const logs = h.t.logs.text();
      expect(logs).toContain('HTTP 401');
      expect(tokens.length).toBeGreaterThan(5);
      for (const token of tokens) expect(logs).not.toContain(token);
    });
  });

  describe('periodic checks', () => {
    let h: BridgeHarness;
    beforeAll(async () => {
      // A short interval instead of waiting minutes; no environment variable goes below 1 s.
      h = await startBridge({ overrides: { bridgeHealthIntervalSeconds: 0.1 } });
    });
    afterAll(async () => {
      await h?.close();
    });

    async function waitForStatus(id: string, status: string): Promise<Record<string, unknown>> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const res = await h.call('GET', `/v1/integrations/${id}`);
        if (res.body.status === status || Date.now() > deadline) return res.body;
        await sleep(50);
      }
    }

    it('notices a revoked token and its restoration by itself', async () => {
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      expect(res.status).toBe(201);
      h.sim.revokeToken(h.admin.token);
      expect(await waitForStatus(res.body.id, 'error')).toMatchObject({
        status: 'error', last_error: expect.stringMatching(/^Chatwoot rejected the API token/),
      });
      h.sim.restoreToken(h.admin.token);
      expect(await waitForStatus(res.body.id, 'active')).toMatchObject({ status: 'active', last_error: '' });
    });
  });

  it('shuts down without waiting out a check stuck on Chatwoot, and stores nothing from it', async () => {
    const h = await startBridge({ env: { CHATWOOT_TIMEOUT_MS: '20000' }, overrides: { bridgeHealthIntervalSeconds: 0.05 } });
    try {
      const res = await h.call('POST', '/v1/integrations', { json: integrationBody(h) });
      expect(res.status).toBe(201);
      h.sim.hang();
      const probe = new RegExp(`/inboxes/${res.body.inbox_id}$`);
      const deadline = Date.now() + 5_000;
      while (h.sim.requestsMatching('GET', probe).length === 0 && Date.now() < deadline) await sleep(20);
      expect(h.sim.requestsMatching('GET', probe).length).toBeGreaterThan(0);
      const row = (await h.rows())[0];
      const started = Date.now();
      await h.t.close();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(row.status).toBe('active');
      expect(h.t.logs.text()).not.toContain('cannot store health');
      expect(h.t.logs.text()).not.toContain('health round failed');
    } finally {
      await h.sim.close();
    }
  });
});
