import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { GraphApiDouble, inbound, webhookOf, type PhoneNumber } from '../fakes/graph-api.js';
import { eventually } from '../support/chatwoot.js';
import { newEncryptionKey } from '../support/faults.js';
import { request } from '../support/http.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { buildServer, exitWithin, freePort, startServer, type ServerProcess } from '../support/server-process.js';
import { TEST_ADMIN_TOKEN } from '../support/test-app.js';
import { LOOPBACK_DOUBLES_ENV } from '../support/tenants.js';

const BRIDGE_PUBLIC_URL = 'http://bridge.replicas';
const ACCOUNT_ID = 1;

interface Routed {
  name: string;
  token: string;
  phone: PhoneNumber;
  integrationId: string;
  inboxId: number;
}

/** `routing integration <id>` / `stopped routing integration <id> (why)` lines of a bridge's log, with their time. */
function routingLines(bridge: ServerProcess): Array<{ at: number; what: 'start' | 'stop'; id: string; msg: string }> {
  const lines = [];
  for (const line of bridge.stdout) {
    let entry: { time?: string; msg?: string; context?: string };
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const m = /^(stopped )?routing integration (\S+)/.exec(entry.msg ?? '');
    if (entry.context === 'Routing' && m) lines.push({ at: Date.parse(entry.time ?? ''), what: m[1] ? ('stop' as const) : ('start' as const), id: m[2], msg: entry.msg! });
  }
  return lines;
}

/**
 * Issue "running on many machines": several bridge processes on one database route each
 * integration on exactly one of them, evenly, and whatever concerns an integration reaches its
 * router whichever bridge Chatwoot or the API happened to call.
 */
describe('integrations shared by bridge replicas (real server processes)', () => {
  const encryptionKey = newEncryptionKey();
  const bridgeToken = 'bridge-token-for-the-replica-suite-0123456789';
  let build: string;
  let pgsql: PrivatePostgres;
  let sim: ChatwootSimulator;
  let graph: GraphApiDouble;
  let admin: SimUser;
  let api: ServerProcess;
  const bridges: ServerProcess[] = [];
  let bridgePort: number;

  const startBridge = (port?: number, healthIntervalSeconds = 0) =>
    startServer(build, {
      ...LOOPBACK_DOUBLES_ENV, ROLES: 'bridge', DATABASE_URL: pgsql.url, ENCRYPTION_KEY: encryptionKey, BRIDGE_TOKEN: bridgeToken,
      BRIDGE_PUBLIC_URL, BRIDGE_HEALTH_INTERVAL_SECONDS: String(healthIntervalSeconds), CHATWOOT_TIMEOUT_MS: '3000', LOG_LEVEL: 'info', MIGRATE_ON_START: 'false',
    }, 60_000, port);

  /** Integration id → the bridge process holding its lease. */
  async function holders(): Promise<Map<string, ServerProcess | undefined>> {
    const rows = await pgsql.query<{ resource: string; holder: string }>(
      // Only existing integrations: a deleted one's lease lingers, unused, until it expires.
      `SELECT l."resource", l."holder" FROM "leases" l JOIN "bridge_integrations" i ON l."resource" = 'routing:' || i."id"
        WHERE l."expires_at" >= now()`,
    );
    return new Map(rows.map((r) => [r.resource.slice('routing:'.length), bridges.find((b) => r.holder.split(':')[1] === String(b.process.pid))]));
  }

  async function counts(): Promise<number[]> {
    const held = await holders();
    return bridges.filter((b) => b.process.exitCode === null && b.process.signalCode === null).map((b) => [...held.values()].filter((h) => h === b).length);
  }

  async function routedInstance(name: string): Promise<Routed> {
    const account = await request(api.url, 'POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name } });
    const token = account.body.account.token as string;
    const phone = graph.addPhoneNumber();
    const created = await request(api.url, 'POST', '/api/instance/new', {
      token,
      json: { name, provider: 'cloud', cloudPhoneNumberId: phone.id, cloudAccessToken: phone.token, cloudAppSecret: phone.appSecret, cloudVerifyToken: `verify-token-${name}` },
    });
    expect(created.status).toBe(201);
    expect((await request(api.url, 'GET', `/api/instance/connect/${name}`, { token })).status).toBe(200);
    const set = await request(api.url, 'POST', `/api/chatwoot/set/${name}`, {
      token, json: { chatwootBaseUrl: sim.url, chatwootAccountId: ACCOUNT_ID, chatwootApiToken: admin.token, inboxName: `inbox ${name}` },
    });
    expect(set.status).toBe(201);
    const [row] = await pgsql.query<{ id: string; inbox_id: number }>(`SELECT "id", "inbox_id" FROM "bridge_integrations" WHERE "source_instance" = $1`, [name]);
    return { name, token, phone, integrationId: row.id, inboxId: row.inbox_id };
  }

  const incoming = (r: Routed) =>
    sim.conversations(ACCOUNT_ID).filter((c) => c.inboxId === r.inboxId).flatMap((c) => sim.messages(ACCOUNT_ID, c.id)).filter((m) => m.messageType === 'incoming');
  const sentTo = (r: Routed) => graph.sent.filter((s) => s.phoneNumberId === r.phone.id).map((s) => s.body.text.body as string);
  let seq = 0;
  async function customerWrites(r: Routed, text: string): Promise<void> {
    seq += 1;
    const body = webhookOf(r.phone, inbound.text(text, { from: '5511977776666', id: `wamid.REPLICA${String(seq).padStart(5, '0')}` }));
    expect((await graph.postWebhook(`${api.url}/webhooks/whatsapp-cloud`, body)).status).toBe(200);
  }

  beforeAll(async () => {
    [build, pgsql, sim, graph] = await Promise.all([buildServer(), PrivatePostgres.create(), ChatwootSimulator.start(), GraphApiDouble.start()]);
    sim.addAccount(ACCOUNT_ID);
    admin = sim.addUser(ACCOUNT_ID, 'administrator', { name: 'Ana' });
    bridgePort = await freePort();
    const apiPort = await freePort();
    api = await startServer(build, {
      ...LOOPBACK_DOUBLES_ENV, ROLES: 'api', DATABASE_URL: pgsql.url, ENCRYPTION_KEY: encryptionKey, ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      BRIDGE_URL: `http://127.0.0.1:${bridgePort}`, BRIDGE_TOKEN: bridgeToken, PUBLIC_URL: `http://127.0.0.1:${apiPort}`,
      WHATSAPP_CLOUD_API_URL: graph.url, RATE_LIMIT_PER_MINUTE: '1000000', RATE_LIMIT_CREATE_PER_MINUTE: '1000000', LOG_LEVEL: 'warn',
    }, 60_000, apiPort); // migrates
    // The API calls the first bridge; the second only routes, and answers what Chatwoot sends it.
    bridges.push(await startBridge(bridgePort), await startBridge());
    sim.routeWebhooks(BRIDGE_PUBLIC_URL, bridges[0].url);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([api?.kill(), ...bridges.map((b) => b.kill())]);
    await Promise.all([sim?.close(), graph?.stop()]);
    await pgsql?.destroy();
  });

  it('splits the integrations evenly, and replies, deletes and hand-overs reach the router wherever it runs', async () => {
    const routed: Routed[] = [];
    for (let i = 0; i < 6; i += 1) routed.push(await routedInstance(`shop${i}`));
    const [a, b] = bridges;

    // The first bridge took each new integration at once; it gives back what is above its share.
    await eventually(async () => expect((await counts()).sort()).toEqual([3, 3]), 20_000, 200);
    for (const r of routed) await customerWrites(r, `hello ${r.name}`);
    await eventually(() => expect(routed.map((r) => incoming(r).map((m) => m.content))).toEqual(routed.map((r) => [`hello ${r.name}`])), 30_000, 200);

    // Chatwoot calls the bridge that does not route the integration: the reply still goes out, once.
    const held = await holders();
    for (const r of routed) {
      const other = held.get(r.integrationId) === a ? b : a;
      sim.routeWebhooks(BRIDGE_PUBLIC_URL, other.url);
      const conversation = sim.conversations(ACCOUNT_ID).find((c) => c.inboxId === r.inboxId)!;
      sim.agentReply(ACCOUNT_ID, conversation.id, { content: `answer in ${r.name}` });
      await sim.webhooksSettled();
    }
    await eventually(() => expect(routed.map(sentTo)).toEqual(routed.map((r) => [`answer in ${r.name}`])), 30_000, 200);

    // A delete through the API (which calls the first bridge) of an integration the second routes:
    // its router has stopped by the time the delete is answered.
    const gone = routed.find((r) => held.get(r.integrationId) === b)!;
    const removed = await request(api.url, 'DELETE', `/api/chatwoot/delete/${gone.name}`, { token: gone.token });
    expect(removed.status).toBe(200);
    expect(routingLines(b).filter((l) => l.id === gone.integrationId).map((l) => l.msg)).toEqual([
      `routing integration ${gone.integrationId}`,
      `stopped routing integration ${gone.integrationId} (deleted)`,
    ]);
    const kept = routed.filter((r) => r !== gone);

    // A graceful stop hands the second bridge's integrations over at once.
    b.process.kill('SIGTERM');
    expect(await exitWithin(b, 30_000)).toEqual({ code: 0, signal: null });
    const stoppedAt = Date.now();
    await eventually(async () => expect(await counts()).toEqual([5]), 10_000, 100);
    const takenAt = Math.max(...routingLines(a).filter((l) => l.what === 'start').map((l) => l.at));
    expect(takenAt - stoppedAt).toBeLessThan(5_000);
    bridges.splice(bridges.indexOf(b), 1);

    // Two new bridges get their share within a minute, and no integration moves twice.
    const aLinesBefore = routingLines(a).length;
    bridges.push(await startBridge(), await startBridge());
    await eventually(async () => {
      const now = await counts();
      expect(now.reduce((x, y) => x + y, 0)).toBe(5);
      expect(Math.max(...now)).toBeLessThanOrEqual(Math.ceil((1.2 * 5) / 3));
      expect(Math.min(...now)).toBeGreaterThanOrEqual(1);
    }, 60_000, 500);
    const stops = routingLines(a).slice(aLinesBefore).filter((l) => l.what === 'stop');
    expect(new Set(stops.map((l) => l.id)).size).toBe(stops.length);
    for (const fresh of bridges.slice(-2)) expect(routingLines(fresh).filter((l) => l.what === 'stop')).toEqual([]);

    // And messages still go both ways, exactly once.
    sim.routeWebhooks(BRIDGE_PUBLIC_URL, bridges[bridges.length - 1].url);
    for (const r of kept) await customerWrites(r, `again ${r.name}`);
    await eventually(() => expect(kept.map((r) => incoming(r).map((m) => m.content))).toEqual(kept.map((r) => [`hello ${r.name}`, `again ${r.name}`])), 30_000, 200);
    for (const r of kept) {
      const conversation = sim.conversations(ACCOUNT_ID).find((c) => c.inboxId === r.inboxId)!;
      sim.agentReply(ACCOUNT_ID, conversation.id, { content: `second answer in ${r.name}` });
    }
    await sim.webhooksSettled();
    await eventually(() => expect(kept.map(sentTo)).toEqual(kept.map((r) => [`answer in ${r.name}`, `second answer in ${r.name}`])), 30_000, 200);
  }, 240_000);

  it('a SIGKILLed bridge\'s integrations are routed by the others within 30 s', async () => {
    const live = bridges.filter((b) => b.process.exitCode === null && b.process.signalCode === null);
    const held = await holders();
    const victim = live.find((b) => [...held.values()].includes(b))!;
    const its = [...held.entries()].filter(([, h]) => h === victim).map(([id]) => id);
    expect(its.length).toBeGreaterThan(0);
    const before = new Map(live.map((b) => [b, routingLines(b).length]));
    await victim.kill();
    const killedAt = Date.now();
    bridges.splice(bridges.indexOf(victim), 1);
    await eventually(async () => {
      const now = await holders();
      for (const id of its) expect(bridges).toContain(now.get(id));
    }, 35_000, 250);
    const restarts = bridges.flatMap((b) => routingLines(b).slice(before.get(b)!)).filter((l) => l.what === 'start' && its.includes(l.id));
    expect(restarts.map((l) => l.id).sort()).toEqual([...its].sort());
    expect(Math.max(...restarts.map((l) => l.at)) - killedAt).toBeLessThanOrEqual(30_000);
  }, 120_000);

  it('while members that died are still counted, integrations left free after their lease expired are taken up to the cap', async () => {
    const live = bridges.filter((b) => b.process.exitCode === null && b.process.signalCode === null);
    expect(live).toHaveLength(2);
    await eventually(async () => expect((await counts()).reduce((x, y) => x + y, 0)).toBe(5), 35_000, 250);
    // Three members that died a moment ago and are still counted: N = 5, target ⌈5/5⌉ = 1, cap ⌈1.2 × 5/5⌉ = 2.
    const ghosts = ['ghost-host:1:00000000', 'ghost-host:2:00000000', 'ghost-host:3:00000000'];
    for (const g of ghosts) {
      await pgsql.query(`INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ($1, $2, now() + interval '2 minutes')`, [`member:routing:${g}`, g]);
    }
    // The bridge above the cap gives back down to the target; nobody takes what it gave back (it has no lease: a new member's share).
    await eventually(async () => expect((await counts()).sort()).toEqual([1, 2]), 15_000, 250);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect((await counts()).sort()).toEqual([1, 2]);
    // What is free becomes a dead holder's, its lease expired 10 s ago: taken up to the cap, at once.
    const held = await holders();
    const ids = (await pgsql.query<{ id: string }>(`SELECT "id" FROM "bridge_integrations" WHERE "inbox_id" > 0`)).map((r) => r.id);
    const orphans = ids.filter((id) => !held.get(id));
    expect(orphans).toHaveLength(2);
    for (const id of orphans) {
      await pgsql.query(
        `INSERT INTO "leases" ("resource", "holder", "expires_at") VALUES ($1, $2, now() - interval '10 seconds')
         ON CONFLICT ("resource") DO UPDATE SET "holder" = EXCLUDED."holder", "expires_at" = EXCLUDED."expires_at"`,
        [`routing:${id}`, ghosts[0]],
      );
    }
    await eventually(async () => expect((await counts()).sort()).toEqual([2, 2]), 10_000, 250);
    // Once the dead are no longer counted (N = 2: target 3, cap 3), the last one is taken too.
    await pgsql.query(`DELETE FROM "leases" WHERE "resource" LIKE 'member:routing:ghost-host:%'`);
    await eventually(async () => {
      const now = await counts();
      expect(now.reduce((x, y) => x + y, 0)).toBe(5);
      expect(Math.max(...now)).toBeLessThanOrEqual(3);
    }, 15_000, 250);
  }, 120_000);

  it('health checks run on one bridge process at a time, and on another once it is gone', async () => {
    const checking = [await startBridge(undefined, 1), await startBridge(undefined, 1)];
    bridges.push(...checking);
    const [{ inbox_id: inboxId }] = await pgsql.query<{ inbox_id: number }>(`SELECT "inbox_id" FROM "bridge_integrations" LIMIT 1`);
    const checks = () => sim.requestsMatching('GET', new RegExp(`/inboxes/${inboxId}$`)).length;
    // Two processes checking every second for 6 s: one round a second, not two.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    let before = checks();
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(checks() - before).toBeGreaterThanOrEqual(3);
    expect(checks() - before).toBeLessThanOrEqual(7);
    // The job's holder dies: the other takes the checks over once its lease (15 s) ran out.
    const [{ holder }] = await pgsql.query<{ holder: string }>(`SELECT "holder" FROM "leases" WHERE "resource" = 'job:bridge-health'`);
    const jobHolder = checking.find((b) => holder.split(':')[1] === String(b.process.pid))!;
    await jobHolder.kill();
    bridges.splice(bridges.indexOf(jobHolder), 1);
    await new Promise((resolve) => setTimeout(resolve, 17_000));
    before = checks();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(checks() - before).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
