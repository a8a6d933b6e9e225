import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { FakeBridge, type RecordedRequest } from '../fakes/fake-bridge.js';
import { setBody, startWithBridge } from '../support/chatwoot.js';
import { closeRawAgent, dbFingerprint, expectInvariants, rawRequest, type RawResponse, SecretLedger } from '../support/property.js';
import { createTenants, type Tenant, type TenantInstance, UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/**
 * Tenant isolation (SPEC §2–§5): every kind of token × every route × every target instance, over two
 * accounts of two integrated instances each, answers as the tables below say, and no cell reads,
 * changes or names anything of another tenant (rows, bridge calls, answers).
 */

// ---- the policy ----------------------------------------------------------------------------------

/** What a token is to the instance a path names. */
type Relation =
  | 'account → own' // a TokenAccount, an instance of its account
  | 'account → foreign' // a TokenAccount, an instance of the other account
  | 'account → ghost' // a TokenAccount, a name no instance has
  | 'instance → self' // a TokenInstance, its own instance
  | 'instance → sibling' // a TokenInstance, another instance of its account
  | 'instance → foreign' // a TokenInstance, an instance of the other account
  | 'instance → ghost' // a TokenInstance, a name no instance has
  | 'admin'
  | 'none'
  | 'unknown';

/** `ok` is the route's success (checked by the route's own verifier); otherwise status and message. */
type Outcome = 'ok' | readonly [number, string];

const INVALID: Outcome = [401, 'Invalid token'];
const MISMATCH: Outcome = [403, 'Instance token does not match the requested instance'];
const NOT_FOUND_CHATWOOT: Outcome = [404, 'instance not found']; // SPEC §5 spells it in lower case
const NOT_FOUND_INSTANCES: Outcome = [404, 'Instance not found'];
const NO_ROUTE: Outcome = [404, 'Not found'];

const chatwootPolicy = {
  'account → own': 'ok', 'account → foreign': NOT_FOUND_CHATWOOT, 'account → ghost': NOT_FOUND_CHATWOOT,
  'instance → self': 'ok', 'instance → sibling': MISMATCH, 'instance → foreign': MISMATCH, 'instance → ghost': MISMATCH,
  admin: INVALID, none: INVALID, unknown: INVALID,
} as const satisfies Record<Relation, Outcome>;

/** Routes with an instance in the path (or the list filter). */
const TARGETED = {
  'POST /api/chatwoot/set/:instance': chatwootPolicy,
  'GET /api/chatwoot/list/:instance': chatwootPolicy,
  'DELETE /api/chatwoot/delete/:instance': chatwootPolicy,
  'DELETE /api/instance/delete/:instance': {
    'account → own': 'ok', 'account → foreign': NOT_FOUND_INSTANCES, 'account → ghost': NOT_FOUND_INSTANCES,
    // TokenAccount only (SPEC §4): a TokenInstance is no token here, whatever the target.
    'instance → self': INVALID, 'instance → sibling': INVALID, 'instance → foreign': INVALID, 'instance → ghost': INVALID,
    admin: INVALID, none: INVALID, unknown: INVALID,
  },
  'GET /api/instance/list?instanceName=:instance': {
    'account → own': 'ok', 'account → foreign': NOT_FOUND_INSTANCES, 'account → ghost': NOT_FOUND_INSTANCES,
    // A TokenInstance lists its own instance; the filter is ignored (SPEC §4).
    'instance → self': 'ok', 'instance → sibling': 'ok', 'instance → foreign': 'ok', 'instance → ghost': 'ok',
    admin: INVALID, none: INVALID, unknown: INVALID,
  },
  'GET /api/unknown/:instance': {
    'account → own': NO_ROUTE, 'account → foreign': NO_ROUTE, 'account → ghost': NO_ROUTE,
    'instance → self': NO_ROUTE, 'instance → sibling': NO_ROUTE, 'instance → foreign': NO_ROUTE, 'instance → ghost': NO_ROUTE,
    admin: NO_ROUTE, none: NO_ROUTE, unknown: NO_ROUTE,
  },
} as const satisfies Record<string, Record<Relation, Outcome>>;

/** What a token is, for routes without an instance. */
type Kind = 'account' | 'instance' | 'admin' | 'none' | 'unknown';

const UNTARGETED = {
  'GET /api/instance/list': { account: 'ok', instance: 'ok', admin: INVALID, none: INVALID, unknown: INVALID },
  // TokenAccount only (SPEC §4).
  'POST /api/instance/new': { account: 'ok', instance: INVALID, admin: INVALID, none: INVALID, unknown: INVALID },
  // The admin token only, and it is good for nothing else (SPEC §3).
  'POST /api/admin/account/new': { account: INVALID, instance: INVALID, admin: 'ok', none: INVALID, unknown: INVALID },
} as const satisfies Record<string, Record<Kind, Outcome>>;

type TargetedRoute = keyof typeof TARGETED;
type UntargetedRoute = keyof typeof UNTARGETED;

// ---- the fixture ---------------------------------------------------------------------------------

const TOKENS = ['account A', 'account B', 'instance A1', 'instance A2', 'instance B1', 'instance B2', 'admin', 'none', 'unknown'] as const;
type TokenName = (typeof TOKENS)[number];
const TARGETS = ['A1', 'A2', 'B1', 'B2', 'ghost'] as const;
type Target = (typeof TARGETS)[number];
const GHOST = 'ghost-instance';
const UNKNOWN_TOKEN = `unknown-${randomBytes(12).toString('hex')}`;

const tenantOf = (label: string) => label[0]; // 'A1' → 'A'

function kindOf(token: TokenName): Kind {
  return token.startsWith('account') ? 'account' : token.startsWith('instance') ? 'instance' : (token as Kind);
}

function relation(token: TokenName, target: Target): Relation {
  const kind = kindOf(token);
  if (kind !== 'account' && kind !== 'instance') return kind;
  const who = token.split(' ')[1]; // 'A' or 'A1'
  if (target === 'ghost') return kind === 'account' ? 'account → ghost' : 'instance → ghost';
  if (kind === 'account') return tenantOf(target) === who ? 'account → own' : 'account → foreign';
  if (target === who) return 'instance → self';
  return tenantOf(target) === tenantOf(who) ? 'instance → sibling' : 'instance → foreign';
}

describe('tenant isolation: every token × every route × every instance (SPEC §2–§5)', () => {
  const fake = new FakeBridge();
  const ledger = new SecretLedger();
  let t: TestApp;
  let tenants: Record<string, Tenant>;
  let cellNumber = 0;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake, { env: UNLIMITED_RATE_ENV });
    const [A, B] = await createTenants(t, fake, ledger, ['A', 'B'], 2);
    tenants = { A, B };
    ledger.add('unknown token', UNKNOWN_TOKEN);
  });
  afterAll(async () => {
    closeRawAgent();
    await t?.close();
    await fake.stop();
  });

  const instance = (label: string): TenantInstance => tenants[tenantOf(label)].instances.find((i) => i.label === label)!;
  const nameOf = (target: Target) => (target === 'ghost' ? GHOST : instance(target).name);
  const tokenValue = (token: TokenName): string | undefined => {
    const [kind, who] = token.split(' ');
    if (kind === 'account') return tenants[who].token;
    if (kind === 'instance') return instance(who).token;
    return token === 'admin' ? TEST_ADMIN_TOKEN : token === 'unknown' ? UNKNOWN_TOKEN : undefined;
  };
  /** The tenant a token acts for, if any. */
  const tenantOfToken = (token: TokenName): string | null => (kindOf(token) === 'account' || kindOf(token) === 'instance' ? token.split(' ')[1][0] : null);

  /** The token in the `token` header or as a bearer token, alternately. */
  function authHeaders(token: TokenName): Record<string, string> {
    const value = tokenValue(token);
    if (value === undefined) return {};
    cellNumber += 1;
    return cellNumber % 2 === 0 ? { token: value } : { authorization: `Bearer ${value}` };
  }

  async function call(route: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<RawResponse> {
    const h = { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
    const res = await rawRequest(t.url, { method, path, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    expectInvariants(res, route, { path });
    ledger.scan(`${method} ${path}`, res.text);
    return res;
  }

  /** Rows of one tenant (its instances and their integrations), as a comparable string. */
  async function tenantRows(label: string): Promise<string> {
    const rows: Array<{ row: string }> = await t.app.get(DataSource).query(
      `SELECT i.id || '|' || i.name || '|' || i.token_hash || '|' || coalesce(c.id::text, '-') || '|' || coalesce(c.bridge_integration_id, '-') || '|' ||
              coalesce(c.chatwoot_api_token, '-') || '|' || coalesce(c.updated_at::text, '-') AS row
         FROM instances i LEFT JOIN chatwoot_integrations c ON c.instance_id = i.id
        WHERE i.account_id = $1 ORDER BY i.id`,
      [tenants[label].id],
    );
    return rows.map((r) => r.row).join('\n');
  }

  /** Instance ids (the bridge's external_id) and integration ids of a tenant. */
  async function tenantIds(label: string): Promise<string[]> {
    const rows: Array<{ id: string; bridge_integration_id: string | null }> = await t.app.get(DataSource).query(
      `SELECT i.id, c.bridge_integration_id FROM instances i LEFT JOIN chatwoot_integrations c ON c.instance_id = i.id WHERE i.account_id = $1`,
      [tenants[label].id],
    );
    return rows.flatMap((r) => [r.id, ...(r.bridge_integration_id ? [r.bridge_integration_id] : [])]);
  }

  /** Puts the fixture back after a cell that changed it: the two instances of each tenant, each with an integration. */
  async function restore(): Promise<void> {
    for (const tenant of Object.values(tenants)) {
      const listed = await call('GET /api/instance/list', 'GET', '/api/instance/list', { token: tenant.token });
      const names = (listed.body.instances as Array<{ name: string }>).map((i) => i.name);
      for (const extra of names.filter((n) => !tenant.instances.some((i) => i.name === n))) {
        expect((await call('DELETE /api/instance/delete/:instance', 'DELETE', `/api/instance/delete/${extra}`, { token: tenant.token })).status).toBe(200);
      }
      for (const inst of tenant.instances) {
        if (!names.includes(inst.name)) {
          // The same name and the same token, so that every cell keeps its meaning; the answer
          // issues the token again.
          const path = '/api/instance/new';
          const created = await rawRequest(t.url, {
            method: 'POST', path, headers: { token: tenant.token, 'content-type': 'application/json' }, body: JSON.stringify({ name: inst.name, token: inst.token }),
          });
          expectInvariants(created, 'POST /api/instance/new', { path });
          expect(created.status).toBe(201);
          ledger.add(`instance ${inst.label} token`, inst.token, created.text);
          ledger.scan('re-creation', created.text);
        }
        const status = await call('GET /api/chatwoot/list/:instance', 'GET', `/api/chatwoot/list/${inst.name}`, { token: tenant.token });
        if (status.status === 200) {
          inst.integrationId = status.body.bridge_integration_id;
          continue;
        }
        const set = await call('POST /api/chatwoot/set/:instance', 'POST', `/api/chatwoot/set/${inst.name}`, { token: tenant.token }, setBody({ chatwootApiToken: inst.chatwootToken }));
        expect(set.status).toBe(201);
        inst.integrationId = set.body.bridge_integration_id;
      }
    }
  }

  interface Cell {
    route: string;
    token: TokenName;
    target?: Target;
    expected: Outcome;
    send: () => Promise<RawResponse>;
    /** The success answer, and the bridge calls it made. */
    verify: (res: RawResponse, bridge: RecordedRequest[]) => void;
  }

  const outcomeOf = (res: RawResponse): Outcome => (res.status < 300 ? 'ok' : [res.status, res.body?.error?.message]);

  /**
   * Runs every cell: the answer must be the table's, and the other tenant (every tenant, for a
   * rejected request) must come out untouched and unnamed.
   */
  async function runMatrix(cells: Cell[]): Promise<void> {
    const answers: Record<string, Outcome> = {};
    const expected: Record<string, Outcome> = {};
    const violations: string[] = [];
    for (const cell of cells) {
      const label = `${cell.token} → ${cell.route}${cell.target ? ` [${cell.target}]` : ''}`;
      const caller = tenantOfToken(cell.token);
      const others = Object.keys(tenants).filter((l) => l !== caller);
      const othersBefore = await Promise.all(others.map(tenantRows));
      const otherIds = (await Promise.all(others.map(tenantIds))).flat();
      const otherNames = others.flatMap((l) => tenants[l].instances.map((i) => i.name));
      const everything = await dbFingerprint(t);
      const seen = fake.requests.length;

      const res = await cell.send();
      const bridge = fake.requests.slice(seen);
      answers[label] = outcomeOf(res);
      expected[label] = cell.expected;

      if (cell.expected === 'ok' && res.status < 300) {
        try {
          cell.verify(res, bridge);
        } catch (err) {
          violations.push(`${label}: ${(err as Error).message}`);
        }
      }
      if (res.status >= 300) {
        if ((await dbFingerprint(t)) !== everything) violations.push(`${label}: a rejected request changed the database`);
        if (bridge.length > 0) violations.push(`${label}: a rejected request called the bridge: ${bridge.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      }
      const othersAfter = await Promise.all(others.map(tenantRows));
      if (othersAfter.join('\n') !== othersBefore.join('\n')) violations.push(`${label}: another tenant's rows changed`);
      const touching = bridge.filter((r) => otherIds.some((id) => r.path.includes(id) || JSON.stringify(r.body ?? '').includes(id) || r.query.toString().includes(id)));
      if (touching.length > 0) violations.push(`${label}: the bridge was asked about another tenant: ${touching.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      const named = otherNames.filter((n) => res.text.includes(n));
      if (named.length > 0) violations.push(`${label}: the answer names another tenant's instance ${named.join(', ')}`);

      // A success that wrote (a set, a deletion, a creation) is undone before the next cell.
      if (res.status < 300 && !cell.route.startsWith('GET ') && cell.route !== 'POST /api/admin/account/new') await restore();
    }
    expect(answers).toEqual(expected);
    expect(violations).toEqual([]);
  }

  /** The names of a tenant's fixture instances, or of the one instance of a TokenInstance. */
  const visibleTo = (token: TokenName): string[] => {
    const [kind, who] = token.split(' ');
    return kind === 'account' ? tenants[who].instances.map((i) => i.name) : [instance(who).name];
  };

  function targetedCell(route: TargetedRoute, token: TokenName, target: Target): Cell {
    const expectedOutcome = TARGETED[route][relation(token, target)];
    const name = nameOf(target);
    const headers = () => authHeaders(token);
    const onlyBridge = (bridge: RecordedRequest[], method: string) => {
      const id = instance(target).integrationId;
      expect(bridge.map((r) => `${r.method} ${r.path}`)).toEqual([`${method} /v1/integrations/${id}`]);
    };
    switch (route) {
      case 'POST /api/chatwoot/set/:instance': {
        return {
          route, token, target, expected: expectedOutcome,
          send: () => {
            const chatwootToken = `cw_cell_${randomBytes(12).toString('hex')}`;
            ledger.add(`chatwoot token of cell ${token} → ${target}`, chatwootToken);
            return call(route, 'POST', `/api/chatwoot/set/${name}`, headers(), setBody({ chatwootApiToken: chatwootToken }));
          },
          verify: (res, bridge) => {
            expect(res.body).toEqual({ instance: name, status: 'active', bridge_integration_id: instance(target).integrationId, message: 'chatwoot integration activated' });
            onlyBridge(bridge, 'PUT');
          },
        };
      }
      case 'GET /api/chatwoot/list/:instance':
        return {
          route, token, target, expected: expectedOutcome,
          send: () => call(route, 'GET', `/api/chatwoot/list/${name}`, headers()),
          verify: (res, bridge) => {
            expect({ name: res.body.instance_name, id: res.body.bridge_integration_id, token: res.body.chatwoot_api_token }).toEqual({
              name, id: instance(target).integrationId, token: undefined,
            });
            onlyBridge(bridge, 'GET');
          },
        };
      case 'DELETE /api/chatwoot/delete/:instance':
        return {
          route, token, target, expected: expectedOutcome,
          send: () => call(route, 'DELETE', `/api/chatwoot/delete/${name}`, headers()),
          verify: (res, bridge) => {
            expect(res.body).toEqual({ message: 'chatwoot integration deactivated' });
            onlyBridge(bridge, 'DELETE');
          },
        };
      case 'DELETE /api/instance/delete/:instance':
        return {
          route, token, target, expected: expectedOutcome,
          send: () => call(route, 'DELETE', `/api/instance/delete/${name}`, headers()),
          verify: (res, bridge) => {
            expect(res.body).toEqual({ success: true, message: 'Instance deleted', instance: { status: 'deleted' } });
            onlyBridge(bridge, 'DELETE');
          },
        };
      case 'GET /api/instance/list?instanceName=:instance':
        return {
          route, token, target, expected: expectedOutcome,
          send: () => call('GET /api/instance/list', 'GET', `/api/instance/list?instanceName=${name}`, headers()),
          verify: (res, bridge) => {
            const names = kindOf(token) === 'account' ? [name] : visibleTo(token);
            expect((res.body.instances as Array<{ name: string }>).map((i) => i.name)).toEqual(names);
            expect(bridge).toEqual([]); // local data only (SPEC §4)
          },
        };
      case 'GET /api/unknown/:instance':
        return {
          route, token, target, expected: expectedOutcome,
          send: () => call('unknown', 'GET', `/api/unknown/${name}`, headers()),
          verify: () => undefined,
        };
    }
  }

  function untargetedCell(route: UntargetedRoute, token: TokenName): Cell {
    const expectedOutcome = UNTARGETED[route][kindOf(token)];
    const headers = () => authHeaders(token);
    switch (route) {
      case 'GET /api/instance/list':
        return {
          route, token, expected: expectedOutcome,
          send: () => call(route, 'GET', '/api/instance/list', headers()),
          verify: (res, bridge) => {
            expect((res.body.instances as Array<{ name: string }>).map((i) => i.name).sort()).toEqual(visibleTo(token).sort());
            expect(bridge).toEqual([]);
          },
        };
      case 'POST /api/instance/new': {
        const name = `iso-new-${randomBytes(4).toString('hex')}`;
        return {
          route, token, expected: expectedOutcome,
          send: () => call(route, 'POST', '/api/instance/new', headers(), { name }),
          verify: (res, bridge) => {
            expect(res.body.instance.name).toBe(name);
            ledger.add(`instance ${name} token`, res.body.instance.token, res.text);
            expect(bridge).toEqual([]);
          },
        };
      }
      case 'POST /api/admin/account/new':
        return {
          route, token, expected: expectedOutcome,
          send: () => call(route, 'POST', '/api/admin/account/new', headers(), { name: 'iso' }),
          verify: (res, bridge) => {
            expect(res.body.account.name).toBe('iso');
            ledger.add('account iso token', res.body.account.token, res.text);
            expect(bridge).toEqual([]);
          },
        };
    }
  }

  describe.each(Object.keys(TARGETED) as TargetedRoute[])('%s', (route) => {
    it('answers each token × target cell as the policy says, touching no other tenant', async () => {
      await runMatrix(TOKENS.flatMap((token) => TARGETS.map((target) => targetedCell(route, token, target))));
    }, 120_000);
  });

  describe.each(Object.keys(UNTARGETED) as UntargetedRoute[])('%s', (route) => {
    it('answers each token as the policy says, touching no other tenant', async () => {
      await runMatrix(TOKENS.map((token) => untargetedCell(route, token)));
    }, 60_000);
  });

  it('a created instance belongs to the account whose token created it', async () => {
    for (const label of Object.keys(tenants)) {
      const name = `iso-owner-${randomBytes(4).toString('hex')}`;
      const res = await call('POST /api/instance/new', 'POST', '/api/instance/new', { token: tenants[label].token }, { name });
      expect(res.status).toBe(201);
      ledger.add(`instance ${name} token`, res.body.instance.token, res.text);
      const [row] = await t.app.get(DataSource).query(`SELECT account_id FROM instances WHERE name = $1`, [name]);
      expect(row.account_id).toBe(tenants[label].id);
      // The other tenant may use the same name: names are per account (SPEC §2).
      const other = Object.keys(tenants).find((l) => l !== label)!;
      const same = await call('POST /api/instance/new', 'POST', '/api/instance/new', { token: tenants[other].token }, { name });
      expect(same.status).toBe(201);
      ledger.add(`instance ${name} token (other tenant)`, same.body.instance.token, same.text);
      await restore();
    }
  });

  it('leaves no secret it used in the logs, nor in any answer but the one that issued it', () => {
    expect(ledger.responsesSeen).toBeGreaterThan(300);
    expect(ledger.report(t.logs.text())).toEqual({ inResponses: [], inLogs: [] });
  });
});
