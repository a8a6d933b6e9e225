import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody, startWithBridge } from '../support/chatwoot.js';
import {
  anyText, closeRawAgent, expectInvariants, expectNothingWritten, fcParams, headerAsReceived, Msg, rawRequest, type RawResponse, SecretLedger,
} from '../support/property.js';
import { createTenants, type Tenant, type TenantInstance, UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from '../support/factories.js';
import { startTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/**
 * Random tokens, request ids, instance names in paths (unicode, %-encoding good and bad, very long),
 * list filters, unknown routes and methods (SPEC §2): no 5xx, every error a documented envelope, the
 * answer follows from token and path, nothing written. Replay a failure with FC_SEED and FC_PATH.
 */

type Who = 'A' | 'A1' | 'B' | 'admin' | 'none' | 'random' | 'mangled';

const hex = () => randomBytes(8).toString('hex');

/** Whether a string can be %-encoded (no lone surrogate). */
function wellFormed(s: string): boolean {
  try {
    encodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/** Characters Node's client sends as they are in a header value (no control characters). */
const headerChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c));
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });

/** The token the server sees (SPEC §2): the `token` header, else `Authorization: Bearer <t>`. */
function presentedToken(headers: Record<string, string>): string | null {
  if (headers.token !== undefined && headerAsReceived(headers.token) !== '') return headerAsReceived(headers.token);
  if (headers.authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headerAsReceived(headers.authorization));
    if (m) return m[1];
  }
  return null;
}

describe('property: random tokens, request ids, paths and routes (SPEC §2–§5)', () => {
  const fake = new FakeBridge();
  const ledger = new SecretLedger();
  let t: TestApp;
  let A: Tenant;
  let B: Tenant;
  let A1: TenantInstance;
  let A2: TenantInstance;
  let B1: TenantInstance;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake, { env: UNLIMITED_RATE_ENV });
    [A, B] = await createTenants(t, fake, ledger, ['A', 'B'], 2);
    [A1, A2] = A.instances;
    [B1] = B.instances;
  });
  afterAll(async () => {
    closeRawAgent();
    await t?.close();
    await fake.stop();
  });

  const tokenOf = (who: Who): string | undefined =>
    ({ A: A.token, A1: A1.token, B: B.token, admin: TEST_ADMIN_TOKEN } as Record<string, string>)[who];

  async function send(route: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    const res = await expectNothingWritten(t, fake, () => rawRequest(t.url, { method, path, headers, body }));
    expectInvariants(res, route, { path, requestId: headers['x-request-id'] });
    ledger.scan(`${method} ${path.slice(0, 80)} → ${res.status}`, res.text);
    return res;
  }

  const expectAnswer = (res: RawResponse, status: number, message?: string) =>
    expect({ status: res.status, message: res.body?.error?.message }).toEqual({ status, message });

  it('authenticates exactly the tokens it issued, however they are presented, on every route', async () => {
    const whoArb = fc.constantFrom<Who>('A', 'A1', 'B', 'admin', 'none', 'random', 'mangled');
    const mangle = fc.constantFrom<(s: string) => string>(
      (s) => `${s}x`, (s) => s.slice(0, -1), (s) => s.toUpperCase(), (s) => s.toLowerCase(), (s) => `x${s.slice(1)}`, (s) => s + s,
      (s) => s.replace(/[A-Za-z]/, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())), (s) => `${s.slice(0, 10)} ${s.slice(10)}`,
    );
    const presentation = fc.oneof(
      fc.constant({ kind: 'token' as const }),
      fc.record({
        kind: fc.constant('bearer' as const),
        scheme: fc.constantFrom('Bearer', 'bearer', 'BEARER', 'Basic', 'Token', 'Bearer:', ''),
        sep: fc.constantFrom(' ', '  ', '\t', ''),
        trail: fc.constantFrom('', ' ', '\t', ' x'),
        lead: fc.constantFrom('', ' '),
      }),
      fc.constant({ kind: 'both' as const }),
      fc.constant({ kind: 'emptyTokenThenBearer' as const }),
    );
    const arb = fc.record({
      route: fc.constantFrom('list', 'status', 'create', 'account', 'deleteInstance', 'deleteChatwoot', 'set'),
      who: whoArb,
      random: fc.oneof(headerText(200), fc.constant(`rnd_${hex()}${hex()}`)),
      mangle,
      presentation,
      requestId: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,128}$/), headerText(200), fc.constantFrom('x'.repeat(128), 'x'.repeat(129), ' padded ', 'a b')), { nil: undefined }),
      // A body on a route that takes none is ignored, whatever it is and however it is labelled.
      junk: fc.option(
        fc.record({
          contentType: fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'), headerText(40)), { nil: undefined }),
          body: fc.oneof(fc.constantFrom('{', '[]', 'null', '{"name":"x"}', JSON.stringify(setBody())), anyText(60), fc.integer({ min: 1, max: 70_000 }).map((n) => 'y'.repeat(n))),
        }),
        { nil: undefined },
      ),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, who, random, mangle: m, presentation: p, requestId, junk }) => {
        const value = who === 'random' ? random : who === 'mangled' ? m(A.token) : tokenOf(who);
        if (who === 'random' && random.startsWith('rnd_')) ledger.add('random token', random);
        const headers: Record<string, string> = {};
        if (value !== undefined) {
          if (p.kind === 'token') headers.token = value;
          if (p.kind === 'bearer') headers.authorization = `${p.lead}${p.scheme}${p.sep}${value}${p.trail}`;
          if (p.kind === 'both') {
            headers.token = value;
            headers.authorization = `Bearer ${B.token}`;
          }
          if (p.kind === 'emptyTokenThenBearer') {
            headers.token = '';
            headers.authorization = `Bearer ${value}`;
          }
        }
        if (requestId !== undefined) headers['x-request-id'] = requestId;
        const presented = presentedToken(headers);
        const bodiless = (h: Record<string, string>) => {
          if (junk?.contentType !== undefined) h['content-type'] = junk.contentType;
          return h;
        };
        const principal = presented === A.token ? 'A' : presented === A1.token ? 'A1' : presented === B.token ? 'B' : presented === TEST_ADMIN_TOKEN ? 'admin' : null;

        switch (route) {
          case 'list': {
            const res = await send('GET /api/instance/list', 'GET', '/api/instance/list', bodiless(headers), junk?.body);
            if (principal === 'A' || principal === 'A1' || principal === 'B') {
              const names = principal === 'A' ? [A1.name, A2.name] : principal === 'A1' ? [A1.name] : B.instances.map((i) => i.name);
              expect({ status: res.status, names: (res.body.instances as Array<{ name: string }>).map((i) => i.name) }).toEqual({ status: 200, names });
            } else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'status': {
            const res = await send('GET /api/chatwoot/list/:instance', 'GET', `/api/chatwoot/list/${A1.name}`, bodiless(headers), junk?.body);
            if (principal === 'A' || principal === 'A1') expect({ status: res.status, name: res.body.instance_name }).toEqual({ status: 200, name: A1.name });
            else if (principal === 'B') expectAnswer(res, 404, Msg.chatwootInstanceNotFound);
            else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'create': {
            const res = await send('POST /api/instance/new', 'POST', '/api/instance/new', { ...headers, 'content-type': 'application/json' }, '{"name":42}');
            if (principal === 'A' || principal === 'B') expectAnswer(res, 400, 'Invalid request body: name must be a string');
            else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'account': {
            const res = await send('POST /api/admin/account/new', 'POST', '/api/admin/account/new', { ...headers, 'content-type': 'application/json' }, '{"name":42}');
            if (principal === 'admin') expectAnswer(res, 400, 'Invalid request body: name must be a string');
            else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'deleteInstance': {
            const res = await send('DELETE /api/instance/delete/:instance', 'DELETE', '/api/instance/delete/no-such-instance', bodiless(headers), junk?.body);
            if (principal === 'A' || principal === 'B') expectAnswer(res, 404, Msg.instanceNotFound);
            else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'deleteChatwoot': {
            const res = await send('DELETE /api/chatwoot/delete/:instance', 'DELETE', '/api/chatwoot/delete/no-such-instance', bodiless(headers), junk?.body);
            if (principal === 'A' || principal === 'B') expectAnswer(res, 404, Msg.chatwootInstanceNotFound);
            else if (principal === 'A1') expectAnswer(res, 403, Msg.mismatch);
            else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
          case 'set': {
            // The body is checked before the instance and its ownership (SPEC §2): a 400 for all.
            const res = await send('POST /api/chatwoot/set/:instance', 'POST', `/api/chatwoot/set/${A2.name}`, { ...headers, 'content-type': 'application/json' }, '{}');
            if (principal === 'A' || principal === 'A1' || principal === 'B') {
              expectAnswer(res, 400, 'invalid body: chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required');
            } else expectAnswer(res, 401, Msg.invalidToken);
            break;
          }
        }
      }),
      fcParams(700),
    );
  }, 240_000);

  /**
   * Characters a client may put in a path as they are. Raw bytes above 0x7f are not HTTP (RFC 9112):
   * Node's parser answers them itself (a bare 400) before the application sees anything; non-ASCII
   * names are sent %-encoded instead.
   */
  const RAW_PATH_CHARS = [...'ABCXYZabcxyz0189-._~!$&\'()*+,;=:@%"<>[]\\^`{|}'];
  const segment = fc.oneof(
    anyText(30).filter((s) => s !== '' && wellFormed(s)).map(encodeURIComponent),
    fc.string({ unit: fc.constantFrom(...RAW_PATH_CHARS), minLength: 1, maxLength: 30 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }).map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
    fc.constantFrom('%', '%2', '%zz', 'a%', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF', '.', '..', '...', '%2e%2e', '%2F', '%2f..%2f', '..%2F..%2Fetc%2Fpasswd', '%00', '%5C', '%3F', '%23', '%20'),
    fc.integer({ min: 65, max: 8000 }).map((n) => 'x'.repeat(n)),
    // Stands for a near miss of a real instance name (see `transform`).
    fc.constantFrom('@A1@', '@A2@', '@B1@'),
  );

  it('resolves any instance name in a path inside the caller account, or not at all', async () => {
    const arb = fc.record({
      route: fc.constantFrom('set', 'status', 'deleteChatwoot', 'deleteInstance'),
      who: fc.constantFrom<Who>('A', 'A1', 'B', 'none'),
      segment,
      transform: fc.constantFrom<(n: string) => string>((n) => n, (n) => n.toUpperCase(), (n) => `${n}%00`, (n) => `%20${n}`, (n) => encodeURIComponent(`${n} `), (n) => `${n}.`, (n) => n.replace(/-/g, '%2D')),
      suffix: fc.constantFrom('', '/', '/x'),
      query: fc.constantFrom('', '?deleteInbox=true', '?x=%'),
      requestId: fc.option(headerText(140), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, who, segment: rawSegment, transform, suffix, query, requestId }) => {
        // `@A1@…` stands for a transformation of a real instance name, so that near misses are tried.
        const named = /^@(A1|A2|B1)@/.exec(rawSegment);
        const seg = named ? transform({ A1, A2, B1 }[named[1] as 'A1' | 'A2' | 'B1'].name) : rawSegment;
        let decoded: string | null;
        try {
          decoded = decodeURIComponent(seg);
        } catch {
          decoded = null;
        }
        const own = who === 'A' ? [A1.name, A2.name] : who === 'B' ? [B1.name, B.instances[1].name] : who === 'A1' ? [A1.name] : [];
        // A name of the caller's own account would act on it: not what this property is about.
        fc.pre(decoded === null || !own.includes(decoded));

        const base = { set: '/api/chatwoot/set/', status: '/api/chatwoot/list/', deleteChatwoot: '/api/chatwoot/delete/', deleteInstance: '/api/instance/delete/' }[route];
        const method = route === 'set' ? 'POST' : route === 'status' ? 'GET' : 'DELETE';
        const routeKey = `${method} ${base}:instance`;
        const path = base + seg + suffix + query;
        const headers: Record<string, string> = {};
        const token = tokenOf(who);
        if (token) headers.token = token;
        if (requestId !== undefined) headers['x-request-id'] = requestId;
        let body: string | undefined;
        if (route === 'set') {
          const chatwootToken = `cwp_${hex()}${hex()}`;
          ledger.add('chatwoot token sent to a wrong path', chatwootToken);
          headers['content-type'] = 'application/json';
          body = JSON.stringify(setBody({ chatwootApiToken: chatwootToken }));
        }
        const res = await send(suffix === '/x' || decoded === null ? 'unknown' : routeKey, method, path, headers, body);

        if (suffix === '/x' || decoded === null) expectAnswer(res, 404, Msg.notFound); // no route serves that path
        else if (who === 'none') expectAnswer(res, 401, Msg.invalidToken);
        else if (route === 'deleteInstance') {
          if (who === 'A1') expectAnswer(res, 401, Msg.invalidToken);
          else expectAnswer(res, 404, Msg.instanceNotFound);
        } else if (who === 'A1') expectAnswer(res, 403, Msg.mismatch);
        else expectAnswer(res, 404, Msg.chatwootInstanceNotFound);
      }),
      fcParams(700),
    );
  }, 240_000);

  it('filters the instance list by any names, and only inside the caller account', async () => {
    const name = fc.oneof(
      fc.constantFrom('A1', 'A2', 'B1').map((label) => `@${label}`),
      anyText(20).filter(wellFormed),
      fc.constantFrom('', ' ', ',', '\u0000', '%', '*', '+'),
    );
    const arb = fc.record({
      who: fc.constantFrom<Who>('A', 'A1', 'B'),
      names: fc.array(name, { minLength: 0, maxLength: 4 }),
      spacing: fc.constantFrom('', ' ', '  '),
      encode: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ who, names, spacing, encode }) => {
        const real: Record<string, TenantInstance> = { '@A1': A1, '@A2': A2, '@B1': B1 };
        const resolved = names.map((n) => real[n]?.name ?? n);
        const value = resolved.join(`${spacing},${spacing}`);
        // Sent %-encoded, or as it is when every character can be (no `&`, `#`, `+`, `%`, space…).
        const raw = encode || !/^[A-Za-z0-9_.,-]*$/.test(value) ? encodeURIComponent(value) : value;
        const res = await send('GET /api/instance/list', 'GET', `/api/instance/list?instanceName=${raw}`, { token: tokenOf(who)! });
        const asked = value.split(',').map((n) => n.trim()).filter(Boolean);
        const mine = who === 'A' ? [A1.name, A2.name] : who === 'B' ? B.instances.map((i) => i.name) : [A1.name];
        if (who === 'A1') {
          // A TokenInstance sees only its own instance; the filter is ignored (SPEC §4).
          expect({ status: res.status, names: res.body.instances?.map((i: { name: string }) => i.name) }).toEqual({ status: 200, names: [A1.name] });
          return;
        }
        const expected = asked.length === 0 ? mine : mine.filter((n) => asked.includes(n));
        if (asked.length === 1 && expected.length === 0) expectAnswer(res, 404, Msg.instanceNotFound);
        else {
          expect({ status: res.status, names: res.body.instances?.map((i: { name: string }) => i.name) }).toEqual({ status: 200, names: expected });
          expect(res.body.message).toBe(expected.length === 1 ? '1 Instance found' : `${expected.length} Instances found`);
        }
      }),
      fcParams(300),
    );
  }, 120_000);

  it('answers 404 Not found to any unknown route or method, with or without a token', async () => {
    const KNOWN_FIRST = ['api', 'healthz', 'readyz', 'metrics'];
    const KNOWN_API = ['instance', 'chatwoot', 'admin'];
    const decodedLower = (s: string) => {
      try {
        return decodeURIComponent(s).toLowerCase();
      } catch {
        return s.toLowerCase();
      }
    };
    const isKnown = (first: string, list: string[]) =>
      [first.toLowerCase(), decodedLower(first)].some((f) => list.includes(f) || f.startsWith('docs') || f.startsWith('openapi') || f === '');
    const seg = fc.oneof(fc.string({ unit: fc.constantFrom(...RAW_PATH_CHARS), minLength: 1, maxLength: 20 }), anyText(15).filter((s) => s !== '' && wellFormed(s)).map(encodeURIComponent));
    const path = fc.oneof(
      fc.tuple(seg, fc.array(seg, { maxLength: 3 })).filter(([first]) => !isKnown(first, KNOWN_FIRST)).map(([first, rest]) => `/${[first, ...rest].join('/')}`),
      fc.tuple(seg, fc.array(seg, { maxLength: 3 })).filter(([first]) => !isKnown(first, KNOWN_API)).map(([first, rest]) => `/api/${[first, ...rest].join('/')}`),
      fc.constantFrom(
        '/api', '/api/instance', '/api/instance/list/extra', '/api/instance/new/x', '/api/instance/delete', '/api/instance/delete/a/b',
        '/api/chatwoot', '/api/chatwoot/set', '/api/chatwoot/list', '/api/chatwoot/set/x/y', '/api/chatwoot/delete/%/x',
        '/api/admin', '/api/admin/account', '/api/admin/account/new/x', '/api/v1/integrations', '/v1/integrations', '/v1/webhooks/x/y',
      ),
    );
    // Known paths with a method they do not serve.
    const wrongMethod = fc.constantFrom(
      ['PUT', '/api/instance/new'], ['GET', '/api/instance/new'], ['POST', '/api/instance/list'], ['DELETE', '/api/instance/list'],
      ['GET', '/api/instance/delete/x'], ['POST', '/api/instance/delete/x'], ['GET', '/api/chatwoot/set/x'], ['PUT', '/api/chatwoot/set/x'],
      ['POST', '/api/chatwoot/list/x'], ['PATCH', '/api/chatwoot/delete/x'], ['GET', '/api/admin/account/new'], ['OPTIONS', '/api/instance/list'],
      ['POST', '/healthz'], ['DELETE', '/metrics'], ['PUT', '/readyz'],
    );
    const arb = fc.record({
      target: fc.oneof(fc.tuple(fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), path), wrongMethod),
      who: fc.constantFrom<Who>('A', 'A1', 'admin', 'none', 'random'),
      random: headerText(60),
      body: fc.option(fc.oneof(fc.constant(JSON.stringify(setBody({ chatwootApiToken: `cwu_${hex()}${hex()}` }))), fc.constant('{"name":"x"}'), fc.constant('{'), anyText(40)), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ target: [method, p], who, random, body }) => {
        const headers: Record<string, string> = {};
        const token = who === 'random' ? random : tokenOf(who);
        if (token !== undefined) headers.token = token;
        if (body !== undefined) {
          headers['content-type'] = 'application/json';
          for (const m of body.matchAll(/cwu_[0-9a-f]{32}/g)) ledger.add('chatwoot token sent to an unknown route', m[0]);
        }
        const res = await send('unknown', method, p, headers, body);
        expectAnswer(res, 404, Msg.notFound);
      }),
      fcParams(400),
    );
  }, 120_000);

  /** Fixed cases: inputs that must keep these answers. */
  const FOUND: Array<[string, string, string, string, Who, unknown, number, string]> = [
    // [what, route key, method, path, token, JSON body, status, message]
    ['malformed %-encoding in a path (crashed the process from the access log)', 'unknown', 'GET', '/api/chatwoot/list/%E0%A4%A', 'A', undefined, 404, Msg.notFound],
    ['a lone % in a path, without a token', 'unknown', 'DELETE', '/api/instance/delete/%', 'none', undefined, 404, Msg.notFound],
    ['NUL in a chatwoot path (PostgreSQL refuses it)', 'GET /api/chatwoot/list/:instance', 'GET', '/api/chatwoot/list/%00', 'A', undefined, 404, Msg.chatwootInstanceNotFound],
    ['NUL in an instance path', 'DELETE /api/instance/delete/:instance', 'DELETE', '/api/instance/delete/x%00', 'A', undefined, 404, Msg.instanceNotFound],
    ['NUL in the list filter', 'GET /api/instance/list', 'GET', '/api/instance/list?instanceName=%00', 'A', undefined, 404, Msg.instanceNotFound],
    ['NUL in an account name', 'POST /api/admin/account/new', 'POST', '/api/admin/account/new', 'admin', { name: 'x\u0000' }, 400, 'Invalid request body: name must not contain the NUL character (U+0000)'],
    ['200 characters with variation selectors: 400 code points', 'POST /api/admin/account/new', 'POST', '/api/admin/account/new', 'admin', { name: 'a\uFE0F'.repeat(200) }, 400, 'Invalid request body: name must be at most 200 characters'],
    ['a quota past the integer column', 'POST /api/admin/account/new', 'POST', '/api/admin/account/new', 'admin', { name: 'x', instanceQuota: 1e300 }, 400, 'Invalid request body: instanceQuota must be at most 2147483647'],
    ['__proto__ in a set body (was silently dropped, and the set done)', 'POST /api/chatwoot/set/:instance', 'POST', '/api/chatwoot/set/@A1', 'A', JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(setBody()).slice(1)}`), 400, 'invalid body: unknown field __proto__'],
    ['constructor.prototype in an instance body', 'POST /api/instance/new', 'POST', '/api/instance/new', 'A', { name: 'polluter', constructor: { prototype: { polluted: true } }, toString: 1 }, 400, 'Invalid request body: unknown field constructor; unknown field toString'],
    ['a body nested 40 levels (overflowed the stack)', 'POST /api/instance/new', 'POST', '/api/instance/new', 'A', JSON.parse(`{"name":"deep","a":${'['.repeat(40)}${']'.repeat(40)}}`), 400, 'Invalid request body: body nests deeper than 32 levels'],
    ['an inbox name of 100 characters with variation selectors', 'POST /api/chatwoot/set/:instance', 'POST', '/api/chatwoot/set/@A1', 'A', setBody({ inboxName: 'a\uFE0F'.repeat(100) }), 400, 'invalid body: inboxName must be 1 to 100 characters after trimming'],
    ['NUL in an inbox name (after the bridge call: a 500)', 'POST /api/chatwoot/set/:instance', 'POST', '/api/chatwoot/set/@A1', 'A', setBody({ inboxName: 'x\u0000' }), 400, 'invalid body: inboxName must not contain the NUL character (U+0000)'],
    ['an account id past the integer column', 'POST /api/chatwoot/set/:instance', 'POST', '/api/chatwoot/set/@A1', 'A', setBody({ chatwootAccountId: 2 ** 40 }), 400, 'invalid body: chatwootAccountId must be at most 2147483647'],
    ['a base URL past its column', 'POST /api/chatwoot/set/:instance', 'POST', '/api/chatwoot/set/@A1', 'A', setBody({ chatwootBaseUrl: `https://chatwoot.example.com/${'p'.repeat(3000)}` }), 400, 'invalid body: chatwootBaseUrl must be at most 2048 characters'],
    ['NUL in an inline inbox name (no instance created)', 'POST /api/instance/new', 'POST', '/api/instance/new', 'A',
      { name: 'inline-nul', chatwootEnabled: true, chatwootBaseUrl: 'https://chatwoot.example.com', chatwootAccountId: 5, chatwootApiToken: 'cw_inline_nul_0123456789', chatwootInboxName: 'x\u0000' },
      400, 'Invalid request body: chatwootInboxName must not contain the NUL character (U+0000)'],
  ];

  it.each(FOUND)('answers %s as documented, writing nothing', async (_, route, method, rawPath, who, body, status, message) => {
    const path = rawPath.replace('@A1', A1.name);
    const headers: Record<string, string> = {};
    const token = tokenOf(who);
    if (token) headers.token = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await send(route, method, path, headers, body === undefined ? undefined : JSON.stringify(body));
    expectAnswer(res, status, message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The server still serves.
    expect((await rawRequest(t.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });

  describe('with the chatwoot module disabled (no BRIDGE_URL)', () => {
    const NOT_CONFIGURED = 'integration gateway not configured (set BRIDGE_URL and BRIDGE_TOKEN)';
    let off: TestApp;
    let account: TestAccount;
    let own: TestInstance;
    beforeAll(async () => {
      off = await startTestApp({ env: UNLIMITED_RATE_ENV });
      account = await createAccount(off);
      own = await createInstance(off, account);
    });
    afterAll(() => off?.close());

    it('answers every chatwoot request 503 after auth and before the body and the instance, and nothing else 5xx', async () => {
      const arb = fc.record({
        route: fc.constantFrom('set', 'status', 'deleteChatwoot'),
        who: fc.constantFrom('account', 'instance', 'none', 'random'),
        name: fc.oneof(fc.constant('@own'), segment.filter((s) => !s.startsWith('@'))),
        body: fc.option(fc.oneof(fc.constant(JSON.stringify(setBody())), fc.constant('{'), fc.constant('[]'), anyText(30).map((s) => JSON.stringify({ zz: s }))), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(arb, async ({ route, who, name, body }) => {
          const seg = name === '@own' ? own.name : name;
          let decodable = true;
          try {
            decodeURIComponent(seg);
          } catch {
            decodable = false;
          }
          const base = { set: '/api/chatwoot/set/', status: '/api/chatwoot/list/', deleteChatwoot: '/api/chatwoot/delete/' }[route];
          const method = route === 'set' ? 'POST' : route === 'status' ? 'GET' : 'DELETE';
          const headers: Record<string, string> = {};
          const token = who === 'account' ? account.token : who === 'instance' ? own.token : who === 'random' ? `rnd-${hex()}` : undefined;
          if (token) headers.token = token;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const path = base + seg;
          const res = await expectNothingWritten(off, fake, () => rawRequest(off.url, { method, path, headers, body }));
          expectInvariants(res, decodable ? `${method} ${base}:instance` : 'unknown', { path }, { status: 503, message: NOT_CONFIGURED });
          if (!decodable) expectAnswer(res, 404, Msg.notFound);
          else if (who === 'none' || who === 'random') expectAnswer(res, 401, Msg.invalidToken);
          else expectAnswer(res, 503, NOT_CONFIGURED);
        }),
        fcParams(200),
      );
    }, 120_000);
  });

  it('leaves no secret it used in the logs, nor in any answer but the one that issued it', () => {
    expect(ledger.size).toBeGreaterThan(10);
    expect(ledger.responsesSeen).toBeGreaterThan(50);
    expect(ledger.report(t.logs.text())).toEqual({ inResponses: [], inLogs: [] });
  });
});
