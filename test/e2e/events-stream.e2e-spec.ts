import { DataSource } from 'typeorm';
import { EventLog } from '../../src/events/event-log.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import { envelope, request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { RefusedUpgrade, StreamClient } from '../support/ws.js';

/** SPEC-MESSAGING §10: GET /ws/:instance, replay with `after`, live events, back-pressure, retention. */
describe('event stream GET /ws/:instance', () => {
  let t: TestApp;
  let account: TestAccount;
  let instance: TestInstance;
  let instanceId: string;
  let log: EventLog;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...UNLIMITED_RATE_ENV, PUBLIC_URL: 'https://api.example.com' } });
    account = await createAccount(t);
    instance = await createInstance(t, account);
    log = t.app.get(EventLog);
    instanceId = await idOf(instance.name);
  });
  afterAll(() => t.close());

  async function idOf(name: string): Promise<string> {
    const rows: Array<{ id: string }> = await t.app.get(DataSource).query(`SELECT id FROM instances WHERE name = $1`, [name]);
    return rows[0].id;
  }

  const stateEvent = (n: number) => ({ type: 'instance.state' as const, data: { status: 'disconnected', reason: `test-${n}` } });

  async function refusal(path: string, headers: Record<string, string>): Promise<RefusedUpgrade> {
    const err = await StreamClient.open(t.url, path, headers).then(
      (c) => {
        void c.close();
        throw new Error('the upgrade was accepted');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedUpgrade);
    return err as RefusedUpgrade;
  }

  describe('refused before the upgrade, with the envelope', () => {
    it('401 Invalid token without a token or with an unknown one', async () => {
      for (const headers of [{}, { token: 'nope-nope-nope-nope' }] as Array<Record<string, string>>) {
        const r = await refusal(`/ws/${instance.name}`, headers);
        expect([r.status, r.body]).toEqual([401, envelope('Invalid token')]);
      }
    });

    it('404 Instance not found for an unknown name or another account\'s instance', async () => {
      const other = await createAccount(t);
      const theirs = await createInstance(t, other);
      for (const name of ['no-such-instance', theirs.name]) {
        const r = await refusal(`/ws/${name}`, { token: account.token });
        expect([r.status, r.body]).toEqual([404, envelope('Instance not found')]);
      }
    });

    it('403 for a TokenInstance on another instance\'s path', async () => {
      const second = await createInstance(t, account);
      const r = await refusal(`/ws/${second.name}`, { token: instance.token });
      expect([r.status, r.body]).toEqual([403, envelope('Instance token does not match the requested instance')]);
    });

    it('429 over the rate limit, like every route', async () => {
      const limited = await startTestApp({ env: { RATE_LIMIT_PER_MINUTE: '2' } });
      try {
        const a = await createAccount(limited);
        const i = await createInstance(limited, a);
        const url = limited.url;
        for (let n = 0; n < 2; n++) await (await StreamClient.open(url, `/ws/${i.name}`, { token: a.token })).close();
        const err = (await StreamClient.open(url, `/ws/${i.name}`, { token: a.token }).catch((e: unknown) => e)) as RefusedUpgrade;
        expect([err.status, err.body]).toEqual([429, envelope('Rate limit exceeded. Try again later.')]);
        expect(err.headers['x-ratelimit-limit']).toBe('2');
      } finally {
        await limited.close();
      }
    });

    it('400 for an `after` that is not a non-negative integer; 426 for a plain GET', async () => {
      const r = await refusal(`/ws/${instance.name}?after=-1`, { token: account.token });
      expect([r.status, r.body]).toEqual([400, envelope('Invalid query: after must be a non-negative integer')]);
      const plain = await request(t.url, 'GET', `/ws/${instance.name}`, { token: account.token });
      expect([plain.status, plain.body]).toEqual([426, envelope('WebSocket upgrade required')]);
    });
  });

  it('replays the stored events after `after`, then streams live ones, in seq order, with the documented envelope', async () => {
    const i = await createInstance(t, account);
    const id = await idOf(i.name);
    expect(await log.appendNow(id, [1, 2, 3, 4, 5].map(stateEvent))).toEqual([1, 2, 3, 4, 5]);

    const client = await StreamClient.open(t.url, `/ws/${i.name}?after=2`, { authorization: `Bearer ${i.token}` });
    await client.until((c) => c.frames.length === 3);
    expect(client.frames[0]).toEqual({
      event: 'instance.state',
      seq: 3,
      data: { status: 'disconnected', reason: 'test-3' },
      instanceData: { baseUrl: 'https://api.example.com', instance: i.name },
    });
    await log.appendNow(id, [6, 7].map(stateEvent));
    await log.appendNow(id, [8].map(stateEvent));
    await client.until((c) => c.frames.length === 6);
    expect(client.seqs).toEqual([3, 4, 5, 6, 7, 8]);
    await client.close();

    const all = await StreamClient.open(t.url, `/ws/${i.name}?after=0`, { token: account.token });
    await all.until((c) => c.frames.length === 8);
    expect(all.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await all.close();
  });

  it('no gap and no duplicate while events are appended during the replay', async () => {
    const i = await createInstance(t, account);
    const id = await idOf(i.name);
    await log.appendNow(id, Array.from({ length: 900 }, (_, n) => stateEvent(n)));
    const client = await StreamClient.open(t.url, `/ws/${i.name}?after=100`, { token: account.token });
    const writers = Array.from({ length: 5 }, async () => {
      for (let n = 0; n < 20; n++) await log.appendNow(id, [stateEvent(n), stateEvent(n)]);
    });
    await Promise.all(writers);
    await client.until((c) => c.frames.length === 1100 - 100, 20_000);
    expect(client.seqs).toEqual(Array.from({ length: 1000 }, (_, n) => 101 + n));
    await client.close();
  });

  it('closes with 4410 when events after `after` are no longer kept', async () => {
    const i = await createInstance(t, account);
    const id = await idOf(i.name);
    await log.appendNow(id, [1, 2, 3].map(stateEvent));
    // Everything is older than the retention seen from 200 hours later.
    expect(await log.prune(new Date(Date.now() + 200 * 3_600_000))).toBeGreaterThanOrEqual(3);
    const stale = await StreamClient.open(t.url, `/ws/${i.name}?after=1`, { token: account.token });
    await stale.until((c) => c.closed !== null);
    expect(stale.closed).toEqual({ code: 4410, reason: 'events after 1 are no longer kept' });
    expect(stale.frames).toEqual([]);

    // From the newest pruned seq on, nothing is missing: the stream goes on with what comes next.
    const fresh = await StreamClient.open(t.url, `/ws/${i.name}?after=3`, { token: account.token });
    await log.appendNow(id, [4].map(stateEvent));
    await fresh.until((c) => c.frames.length === 1);
    expect(fresh.seqs).toEqual([4]);
    await fresh.close();
  });

  it('without `after`: only what comes next, even where older events were pruned; the 101 says where the log stands', async () => {
    const i = await createInstance(t, account);
    const id = await idOf(i.name);
    await log.appendNow(id, [1, 2, 3].map(stateEvent));
    expect(await log.prune(new Date(Date.now() + 200 * 3_600_000))).toBeGreaterThanOrEqual(3);
    await log.appendNow(id, [4, 5].map(stateEvent));

    const live = await StreamClient.open(t.url, `/ws/${i.name}`, { token: account.token });
    expect(live.upgradeHeaders).toMatchObject({ 'x-events-last-seq': '5', 'x-events-pruned-through': '3', 'x-instance-status': 'disconnected' });
    await log.appendNow(id, [6].map(stateEvent));
    await live.until((c) => c.frames.length === 1);
    expect(live.seqs).toEqual([6]);
    expect(live.closed).toBeNull();
    await live.close();

    // A reader that was away resumes from the oldest kept event the 101 named.
    const stale = await StreamClient.open(t.url, `/ws/${i.name}?after=1`, { token: account.token });
    await stale.until((c) => c.closed !== null);
    expect(stale.closed).toEqual({ code: 4410, reason: 'events after 1 are no longer kept' });
    const resumed = await StreamClient.open(t.url, `/ws/${i.name}?after=${String(stale.upgradeHeaders['x-events-pruned-through'])}`, { token: account.token });
    await resumed.until((c) => c.frames.length === 3);
    expect(resumed.seqs).toEqual([4, 5, 6]);
    await resumed.close();
  });

  it("a handshake the WebSocket server refuses leaves nothing behind: the next reader's 101 tells only its own instance", async () => {
    const other = await createInstance(t, account);
    await log.appendNow(await idOf(other.name), [1, 2].map(stateEvent));
    // Authorized, but a WebSocket version ws does not speak: it answers 400 without a 101.
    const { connect } = await import('node:net');
    const { port } = new URL(t.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `GET /ws/${other.name} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            `Sec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\ntoken: ${account.token}\r\n\r\n`,
        );
      });
      let text = '';
      socket.on('data', (c) => (text += c.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);

    const mine = await createInstance(t, account);
    const client = await StreamClient.open(t.url, `/ws/${mine.name}`, { token: account.token });
    expect(client.upgradeHeaders['x-events-last-seq']).toBe('0');
    expect(client.upgradeHeaders['x-events-pruned-through']).toBe('0');
    expect(client.upgradeHeaders['x-instance-status']).toBe('disconnected');
    await client.close();
  });

  it('closes a live reader that stops reading with 4408 once 1,000 frames are unsent; it resumes with `after`', async () => {
    const i = await createInstance(t, account);
    const id = await idOf(i.name);
    const client = await StreamClient.open(t.url, `/ws/${i.name}`, { token: account.token });
    await log.appendNow(id, [stateEvent(0)]);
    await client.until((c) => c.frames.length === 1);
    // The reader stops reading: its socket buffers fill, and frames pile up on the server.
    (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const big = { type: 'instance.state' as const, data: { status: 'disconnected', reason: 'x'.repeat(8_000) } };
    for (let n = 0; n < 40 && client.closed === null; n++) {
      await log.appendNow(id, Array.from({ length: 100 }, () => big));
      await new Promise((r) => setTimeout(r, 20));
    }
    (client.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    await client.until((c) => c.closed !== null, 30_000);
    expect(client.closed).toEqual({ code: 4408, reason: 'reader too slow' });
    const last = client.seqs[client.seqs.length - 1];
    expect(client.seqs).toEqual(Array.from({ length: last }, (_, n) => n + 1));

    const resumed = await StreamClient.open(t.url, `/ws/${i.name}?after=${last}`, { token: account.token });
    await resumed.until((c) => c.frames.length === 4001 - last, 30_000);
    expect(resumed.seqs[0]).toBe(last + 1);
    expect(resumed.seqs[resumed.seqs.length - 1]).toBe(4001);
    await resumed.close();
  }, 60_000);

  it('keeps the instance token out of the envelope (unlike RyzeAPI\'s docs)', async () => {
    const client = await StreamClient.open(t.url, `/ws/${instance.name}`, { token: instance.token });
    await log.appendNow(instanceId, [stateEvent(1)]);
    await client.until((c) => c.frames.length >= 1);
    expect(JSON.stringify(client.frames)).not.toContain(instance.token);
    await client.close();
  });
});
