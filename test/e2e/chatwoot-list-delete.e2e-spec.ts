import { DataSource } from 'typeorm';
import { bridgeError, FakeBridge } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, eventually, setBody, startWithBridge } from '../support/chatwoot.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import { envelope } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('GET /api/chatwoot/list and DELETE /api/chatwoot/delete (SPEC §5)', () => {
  const fake = new FakeBridge();
  let t: TestApp;
  let account: TestAccount;
  let inst: TestInstance;
  let integrationId: string;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake);
  });
  beforeEach(async () => {
    fake.reset();
    fake.inboxId = 42;
    account = await createAccount(t);
    inst = await createInstance(t, account);
    const res = await t.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() });
    expect(res.status).toBe(201);
    integrationId = res.body.bridge_integration_id;
    fake.requests.length = 0;
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const list = (name = inst.name, token = account.token) => t.req('GET', `/api/chatwoot/list/${name}`, { token });
  const del = (query = '', name = inst.name, token = account.token) => t.req('DELETE', `/api/chatwoot/delete/${name}${query}`, { token });
  const rows = () => t.app.get(DataSource).query(`SELECT i.* FROM chatwoot_integrations i JOIN instances n ON n.id = i.instance_id WHERE n.name = $1`, [inst.name]);

  describe('list', () => {
    it('answers the documented object, with live status, and never the token', async () => {
      const res = await list();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        instance_name: inst.name,
        status: 'active',
        bridge_integration_id: integrationId,
        chatwoot_base_url: 'https://chatwoot.example.com',
        chatwoot_account_id: 5,
        chatwoot_inbox_id: 42,
        chatwoot_inbox_name: 'WhatsApp - Orion',
        last_error: '',
        created_at: expect.stringMatching(RFC3339),
        updated_at: expect.stringMatching(RFC3339),
        sign_messages: true,
        ignore_groups: false,
        start_as_pending: false,
        reopen_resolved: true,
      });
      expect(res.text).not.toContain(CHATWOOT_TOKEN);
      expect(res.text).not.toMatch(/v1\.[0-9a-f]{8}\./);
      expect(fake.requestsOf('GET').map((r) => r.path)).toEqual([`/v1/integrations/${integrationId}`]);
    });

    it('replaces status and last_error with the live values', async () => {
      Object.assign(fake.integrations.get(integrationId)!, { status: 'error', last_error: 'token revoked in Chatwoot' });
      const res = await list();
      expect(res.body).toMatchObject({ status: 'error', last_error: 'token revoked in Chatwoot' });
      // The instance list (local data only) shows the last known state.
      const instances = await t.req('GET', '/api/instance/list', { token: account.token });
      expect(instances.body.instances[0].chatwoot).toEqual({ enabled: true, status: 'error' });
    });

    it.each([
      ['a 404 (eventual consistency)', () => fake.integrations.delete(integrationId)],
      ['a 500', () => fake.behave('get', bridgeError(500, { code: 'internal', message: 'x' }))],
      ['garbage', () => fake.behave('get', { kind: 'respond', status: 200, body: 'not json' })],
      ['a hang past the 10 s timeout (shortened)', () => fake.behave('get', { kind: 'hang' })],
      ['a dropped connection', () => fake.behave('get', { kind: 'destroy' })],
    ])('falls back to local data on %s', async (_, arrange) => {
      Object.assign(fake.integrations.get(integrationId)!, { status: 'paused', last_error: 'live' });
      arrange();
      const res = await list();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'active', last_error: '', bridge_integration_id: integrationId });
    });

    it('backfills an inbox id that was 0 locally', async () => {
      fake.inboxId = 0;
      const other = await createInstance(t, account);
      const set = await t.req('POST', `/api/chatwoot/set/${other.name}`, { token: account.token, json: setBody() });
      expect((await list(other.name)).body.chatwoot_inbox_id).toBe(0);
      fake.integrations.get(set.body.bridge_integration_id)!.inbox_id = 77;
      // A read the bridge answers within 300 ms shows it; a slower one (a loaded CI machine)
      // answers from stored data and stores the bridge's answer for the next (SPEC §7).
      await eventually(async () => expect((await list(other.name)).body.chatwoot_inbox_id).toBe(77));
      fake.behave('get', { kind: 'hang' });
      expect((await list(other.name)).body.chatwoot_inbox_id).toBe(77); // stored, not only shown
    });

    it('answers 404 no chatwoot integration for this instance, and 404 instance not found', async () => {
      const bare = await createInstance(t, account);
      const none = await list(bare.name);
      expect(none.status).toBe(404);
      expect(none.body).toEqual(envelope('no chatwoot integration for this instance'));
      const missing = await list('missing-instance');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(envelope('instance not found'));
    });

    it('isolates instances and accounts', async () => {
      const sibling = await createInstance(t, account);
      const mismatch = await list(inst.name, sibling.token);
      expect(mismatch.status).toBe(403);
      expect(mismatch.body).toEqual(envelope('Instance token does not match the requested instance'));
      expect((await list(inst.name, inst.token)).status).toBe(200);
      const stranger = await createAccount(t);
      const foreign = await list(inst.name, stranger.token);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toEqual(envelope('instance not found'));
    });
  });

  describe('delete', () => {
    it('deactivates: bridge first, inbox preserved, then the row', async () => {
      const res = await del();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'chatwoot integration deactivated' });
      const [call] = fake.requestsOf('DELETE');
      expect(call.path).toBe(`/v1/integrations/${integrationId}`);
      expect(call.query.get('delete_inbox')).toBeNull();
      expect(fake.integrations.has(integrationId)).toBe(false);
      expect(await rows()).toEqual([]);
      const after = await list();
      expect(after.body).toEqual(envelope('no chatwoot integration for this instance'));
    });

    it('asks the bridge to delete the inbox with ?deleteInbox=true', async () => {
      expect((await del('?deleteInbox=true')).status).toBe(200);
      expect(fake.requestsOf('DELETE')[0].query.get('delete_inbox')).toBe('true');
    });

    it('treats a bridge 404 as already gone', async () => {
      fake.integrations.delete(integrationId);
      expect((await del()).status).toBe(200);
      expect(await rows()).toEqual([]);
    });

    it('answers 404 no chatwoot integration to delete', async () => {
      await del();
      const again = await del();
      expect(again.status).toBe(404);
      expect(again.body).toEqual(envelope('no chatwoot integration to delete'));
      const missing = await del('', 'missing-instance');
      expect(missing.body).toEqual(envelope('instance not found'));
    });

    it.each([
      ['a 500', () => fake.behave('delete', bridgeError(500, { code: 'internal', message: 'x' }))],
      ['a 401', () => fake.behave('delete', bridgeError(401, { code: 'unauthorized', message: 'x' }))],
      ['a hang past the 30 s timeout (shortened)', () => fake.behave('delete', { kind: 'hang' })],
    ])('on %s: succeeds, warns, and retries in the background until the bridge confirms', async (_, arrange) => {
      arrange();
      const res = await del('?deleteInbox=true');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'chatwoot integration deactivated' });
      expect(await rows()).toEqual([]);
      expect(t.logs.text()).toContain(`bridge deletion of ${integrationId} failed, retrying in the background`);
      const queued = await t.app.get(DataSource).query(`SELECT * FROM chatwoot_bridge_deletions WHERE bridge_integration_id = $1`, [integrationId]);
      expect(queued).toHaveLength(1);
      expect(queued[0].delete_inbox).toBe(true);
      expect(fake.integrations.has(integrationId)).toBe(true);
      fake.reset(); // the bridge recovers
      await eventually(async () => {
        expect(fake.integrations.has(integrationId)).toBe(false);
        expect(await t.app.get(DataSource).query(`SELECT * FROM chatwoot_bridge_deletions WHERE bridge_integration_id = $1`, [integrationId])).toEqual([]);
      });
      expect(fake.requestsOf('DELETE').at(-1)!.query.get('delete_inbox')).toBe('true');
    });
  });

  describe('instance deletion (SPEC §4)', () => {
    it('removes the integration on the bridge, inbox preserved', async () => {
      const res = await t.req('DELETE', `/api/instance/delete/${inst.name}`, { token: account.token });
      expect(res.status).toBe(200);
      expect(fake.requestsOf('DELETE').map((r) => [r.path, r.query.get('delete_inbox')])).toEqual([[`/v1/integrations/${integrationId}`, null]]);
      expect(fake.integrations.has(integrationId)).toBe(false);
      expect(await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM chatwoot_integrations WHERE bridge_integration_id = $1`, [integrationId])).toEqual([{ n: 0 }]);
    });

    it('queues the bridge deletion when the bridge fails, and still deletes the instance', async () => {
      fake.behave('delete', { kind: 'hang' });
      expect((await t.req('DELETE', `/api/instance/delete/${inst.name}`, { token: account.token })).status).toBe(200);
      fake.reset();
      await eventually(() => expect(fake.integrations.has(integrationId)).toBe(false));
    });
  });
});
