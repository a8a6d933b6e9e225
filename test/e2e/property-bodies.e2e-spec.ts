import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { normalizeHttpUrl } from '../../src/common/http-url.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { startWithBridge } from '../support/chatwoot.js';
import {
  anyJson, anyText, bridgeWrites, closeRawAgent, dbFingerprint, expectInvariants, expectNothingWritten, fcParams, POLLUTION_KEYS,
  rawRequest, type RawRequest, type RawResponse, rowCounts, SecretLedger,
} from '../support/property.js';
import { createTenants, type Tenant, UNLIMITED_RATE_ENV } from '../support/tenants.js';
import { TEST_ADMIN_TOKEN, type TestApp } from '../support/test-app.js';

/**
 * Random bodies, sizes, nestings and content types on the three routes that take a body (SPEC §2–§5):
 * no 5xx, every error the route's envelope, nothing written by a rejected body, and valid bodies
 * write what they say. Replay a failure with FC_SEED and FC_PATH; FC_RUNS_SCALE scales the budgets.
 */

type BodyRoute = 'account' | 'instance' | 'set';

const LIMIT = 64 * 1024;
const MAX_INT = 2_147_483_647;
const INSTANCE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const INSTANCE_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

const KNOWN: Record<BodyRoute, string[]> = {
  account: ['name', 'instanceQuota'],
  instance: [
    'name', 'token', 'chatwootEnabled', 'chatwootBaseUrl', 'chatwootAccountId', 'chatwootApiToken', 'chatwootInboxName',
    'chatwootSignMessages', 'chatwootIgnoreGroups', 'chatwootStartAsPending', 'chatwootReopenResolved',
  ],
  set: ['chatwootBaseUrl', 'chatwootAccountId', 'chatwootApiToken', 'inboxName', 'signMessages', 'ignoreGroups', 'startAsPending', 'reopenResolved'],
};
/** SPEC §4: documented RyzeAPI fields that instance creation accepts and ignores. */
const IGNORED_SETTINGS = ['autoRejectCalls', 'callRejectMessage', 'ignoreGroupMessages', 'keepOnlineStatus', 'autoReadMessages', 'disableHistorySync', 'ignoreStatus'];
const isIgnored = (route: BodyRoute, key: string) =>
  route === 'instance' && (/^(webhook|websocket|proxy|s3)/.test(key) || IGNORED_SETTINGS.includes(key));

const PREFIX: Record<BodyRoute, string> = { account: 'Invalid request body: ', instance: 'Invalid request body: ', set: 'invalid body: ' };
const ROUTE_KEY: Record<BodyRoute, string> = {
  account: 'POST /api/admin/account/new',
  instance: 'POST /api/instance/new',
  set: 'POST /api/chatwoot/set/:instance',
};

type Entry = [string, unknown];

/** A JSON object text from entries, keys kept as own properties (`__proto__` included), first wins. */
function objectText(entries: Entry[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const [key, value] of entries) {
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

const codePoints = (s: string) => [...s].length;
const hex = () => randomBytes(8).toString('hex');
const routeArb = fc.constantFrom<BodyRoute>('account', 'instance', 'set');

// ---- arbitraries -------------------------------------------------------------------------------

const nonString = anyJson.filter((v) => typeof v !== 'string');
const nonStringNonNull = anyJson.filter((v) => typeof v !== 'string' && v !== null);
const nonBooleanNonNull = anyJson.filter((v) => typeof v !== 'boolean' && v !== null);
const nonInteger = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
  fc.integer({ min: -1_000_000, max: -1 }),
  fc.constantFrom(MAX_INT + 1, 2 ** 40, 2 ** 53, 1e21, 1e300, -0.5),
  fc.constantFrom('5', '1e3', '', 'NaN', true, false, [], {}, [5], { value: 5 }),
);
const longString = (min: number, max: number) => fc.integer({ min, max }).chain((n) => fc.constantFrom('x', 'é', '😀', 'a\uFE0F').map((c) => c.repeat(n)));
const validName = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const graphemeText = (min: number, max: number) => fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((s) => !s.includes('\u0000'));
const validInbox = graphemeText(1, 100).filter((s) => codePoints(s.trim()) >= 1 && codePoints(s.trim()) <= 100);
const validUrl = fc.oneof(
  fc.constantFrom('https://chatwoot.example.com/', 'http://10.0.0.5:3000', 'https://chat.example.com/base//', 'https://[::1]:8443/x'),
  fc.webUrl({ validSchemes: ['http', 'https'] }).filter((u) => u.length <= 2000 && normalizeHttpUrl(u) !== null),
);
const invalidUrl = fc.oneof(
  fc.constantFrom('ftp://x', 'https://', 'chatwoot.example.com', 'https://u:p@host', 'https://h/?q=1', 'https://h/#f', 'https://h/%zz', 'javascript:alert(1)', 'https://h/ space', `https://h/${'p'.repeat(2100)}`),
  anyText(60).filter((s) => normalizeHttpUrl(s) === null),
);

/** An unknown field name for the route: random text or a prototype-pollution key. */
const unknownKey = (route: BodyRoute) =>
  fc.oneof(
    fc.constantFrom(...POLLUTION_KEYS, 'Name', 'name ', 'chatwootenabled', 'inbox_name', 'chatwoot_api_token', 'id', ''),
    anyText(20),
    longString(1000, 3000),
  ).filter((k) => !KNOWN[route].includes(k) && !isIgnored(route, k));

/** Some known fields of the route with arbitrary values. */
const someKnown = (route: BodyRoute) => fc.subarray(KNOWN[route]).chain((keys) => fc.tuple(...keys.map((k) => anyJson.map((v): Entry => [k, v]))));

/** A body of known fields only, with at least one violation; `field` is the one sure to be named. */
function violating(route: BodyRoute): fc.Arbitrary<{ entries: Entry[]; field: string }> {
  const quota = fc.option(fc.integer({ min: 0, max: MAX_INT }), { nil: undefined }).map((q): Entry[] => (q === undefined ? [] : [['instanceQuota', q]]));
  if (route === 'account') {
    return fc.oneof(
      fc.tuple(fc.oneof(fc.constant(undefined), nonString, fc.constant(''), longString(201, 3000), anyText(30).map((s) => `${s}\u0000`)), quota).map(([name, q]) => ({
        entries: [...(name === undefined ? [] : [['name', name] as Entry]), ...q],
        field: 'name',
      })),
      fc.tuple(graphemeText(1, 50).filter((s) => s !== ''), nonInteger).map(([name, q]) => ({ entries: [['name', name], ['instanceQuota', q]] as Entry[], field: 'instanceQuota' })),
    );
  }
  if (route === 'instance') {
    const others = someKnown('instance').map((es) => es.filter(([k]) => k !== 'name' && k !== 'token'));
    const inline = fc.record({
      chatwootBaseUrl: validUrl,
      chatwootAccountId: fc.integer({ min: 1, max: MAX_INT }),
      chatwootApiToken: fc.constant(`cwx_${hex()}`),
    });
    const inlineViolation = fc.oneof(
      fc.tuple(fc.constant('chatwootBaseUrl'), fc.oneof(invalidUrl, nonString)),
      fc.tuple(fc.constant('chatwootAccountId'), fc.oneof(nonInteger, fc.constant(0), fc.constant(null))),
      fc.tuple(fc.constant('chatwootApiToken'), fc.oneof(fc.constant(''), nonString, longString(513, 4000))),
      fc.tuple(fc.constant('chatwootInboxName'), fc.oneof(nonStringNonNull, fc.constantFrom('   ', '\t', 'a\u0000'), longString(101, 400))),
      fc.tuple(fc.constantFrom('chatwootSignMessages', 'chatwootIgnoreGroups', 'chatwootStartAsPending', 'chatwootReopenResolved'), nonBooleanNonNull),
    );
    return fc.oneof(
      fc.tuple(fc.oneof(fc.constant(undefined), nonString, anyText(80).filter((s) => !INSTANCE_NAME.test(s))), others).map(([name, rest]) => ({
        entries: [...(name === undefined ? [] : [['name', name] as Entry]), ...rest],
        field: 'name',
      })),
      fc.tuple(validName, fc.oneof(nonStringNonNull, anyText(140).filter((s) => !INSTANCE_TOKEN.test(s)))).map(([name, token]) => ({
        entries: [['name', name], ['token', token]] as Entry[],
        field: 'token',
      })),
      fc.tuple(validName, nonBooleanNonNull).map(([name, enabled]) => ({ entries: [['name', name], ['chatwootEnabled', enabled]] as Entry[], field: 'chatwootEnabled' })),
      fc.tuple(validName, inline, inlineViolation).map(([name, block, [field, bad]]) => ({
        entries: [['name', name], ['chatwootEnabled', true], [field, bad], ...Object.entries(block)] as Entry[],
        field,
      })),
    );
  }
  const base = (token: string): Entry[] => [['chatwootBaseUrl', 'https://chatwoot.example.com'], ['chatwootAccountId', 5], ['chatwootApiToken', token]];
  const violation = fc.oneof(
    fc.tuple(fc.constant('chatwootBaseUrl'), fc.oneof(fc.constant(undefined), invalidUrl, nonString)),
    fc.tuple(fc.constant('chatwootAccountId'), fc.oneof(fc.constant(undefined), nonInteger, fc.constant(0), fc.constant(null))),
    fc.tuple(fc.constant('chatwootApiToken'), fc.oneof(fc.constant(undefined), fc.constant(''), nonString, longString(513, 10_000))),
    fc.tuple(fc.constant('inboxName'), fc.oneof(nonStringNonNull, fc.constantFrom('', '   ', '\u0000', 'x\u0000y'), longString(101, 3000))),
    fc.tuple(fc.constantFrom('signMessages', 'ignoreGroups', 'startAsPending', 'reopenResolved'), nonBooleanNonNull),
  );
  return violation.map(([field, bad]) => {
    // The violated field first: first wins in objectText, so it replaces the valid one.
    const entries: Entry[] = bad === undefined ? base(`cwx_${hex()}`).filter(([k]) => k !== field) : [[field, bad], ...base(`cwx_${hex()}`)];
    return { entries, field };
  });
}

/** What an invalid body must be answered with: the exact message, or the substrings it must hold. */
interface InvalidBody {
  text: string;
  exact?: string;
  mentions: string[];
}

function invalidBody(route: BodyRoute): fc.Arbitrary<InvalidBody> {
  const notObject = fc
    .oneof(fc.array(anyJson, { maxLength: 4 }), anyText(30), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null))
    .map((v): InvalidBody => ({ text: JSON.stringify(v), exact: `${PREFIX[route]}body must be a JSON object`, mentions: [] }));
  const withUnknown = fc
    .tuple(someKnown(route), fc.array(fc.tuple(unknownKey(route), anyJson), { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([known, unknown, unknownFirst]): InvalidBody => {
      const unknownEntries = unknown.filter(([k], i) => unknown.findIndex(([k2]) => k2 === k) === i);
      return {
        text: objectText(unknownFirst ? [...unknownEntries, ...known] : [...known, ...unknownEntries]),
        mentions: unknownEntries.map(([k]) => `unknown field ${k}`),
      };
    });
  const knownOnly = violating(route).map(({ entries, field }): InvalidBody => ({ text: objectText(entries), mentions: [field] }));
  return fc.oneof({ arbitrary: notObject, weight: 1 }, { arbitrary: withUnknown, weight: 2 }, { arbitrary: knownOnly, weight: 3 });
}

/** Nested containers, built without recursion: `depth` arrays/objects around a scalar. */
function nested(depth: number, kind: 'array' | 'object' | 'mixed'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i += 1) {
    const array = kind === 'array' || (kind === 'mixed' && i % 2 === 0);
    open += array ? '[' : '{"k":';
    close = (array ? ']' : '}') + close;
  }
  return `${open}1${close}`;
}

// ---- the suite ---------------------------------------------------------------------------------

describe('property: random bodies to every route that takes one (SPEC §2–§5)', () => {
  const fake = new FakeBridge();
  const ledger = new SecretLedger();
  let t: TestApp;
  let A: Tenant;
  let counter = 0;

  beforeAll(async () => {
    await fake.start();
    t = await startWithBridge(fake, { env: UNLIMITED_RATE_ENV });
    [A] = await createTenants(t, fake, ledger, ['A'], 1);
  });
  afterAll(async () => {
    closeRawAgent();
    await t?.close();
    await fake.stop();
  });

  const target = (route: BodyRoute): { path: string; token: string } =>
    route === 'account'
      ? { path: '/api/admin/account/new', token: TEST_ADMIN_TOKEN }
      : route === 'instance'
        ? { path: '/api/instance/new', token: A.token }
        : { path: `/api/chatwoot/set/${A.instances[0].name}`, token: A.token };

  /** Sends, then checks the invariants of every answer and scans it for secrets. */
  async function send(route: BodyRoute, req: Omit<RawRequest, 'method' | 'path'>, requestId?: string): Promise<RawResponse> {
    const { path, token } = target(route);
    const headers: Record<string, string> = { token, ...(req.headers ?? {}) };
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    const res = await rawRequest(t.url, { method: 'POST', path, headers, body: req.body });
    expectInvariants(res, ROUTE_KEY[route], { path, requestId });
    ledger.scan(`${route} → ${res.status}`, res.text);
    return res;
  }

  /** Sends a body that must be rejected with a 400 of the route's prefix, writing nothing. */
  async function rejected(route: BodyRoute, req: Omit<RawRequest, 'method' | 'path'>): Promise<string> {
    const res = await expectNothingWritten(t, fake, () => send(route, req));
    expect({ status: res.status, prefix: String(res.body?.error?.message).startsWith(PREFIX[route]) }).toEqual({ status: 400, prefix: true });
    return res.body.error.message as string;
  }

  it('rejects any invalid JSON body with the route message, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(routeArb.chain((route) => fc.tuple(fc.constant(route), invalidBody(route))), async ([route, body]) => {
        for (const m of body.text.matchAll(/"(cwx_[0-9a-f]{16})"/g)) ledger.add('chatwoot token of a rejected body', m[1]);
        const message = await rejected(route, { headers: { 'content-type': 'application/json' }, body: body.text });
        if (body.exact !== undefined) expect(message).toBe(body.exact);
        for (const part of body.mentions) expect(message).toContain(part);
      }),
      fcParams(1500),
    );
  }, 240_000);

  it('answers bodies nested at any depth without a 5xx: 400, the depth named past 32 levels', async () => {
    const arb = fc.record({
      route: routeArb,
      depth: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 41, max: 30_000 })),
      kind: fc.constantFrom<'array' | 'object' | 'mixed'>('array', 'object', 'mixed'),
      where: fc.constantFrom('known', 'unknown', 'top', 'ignored'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, depth, kind, where }) => {
        const field = where === 'known' ? KNOWN[route][depth % KNOWN[route].length] : where === 'ignored' && route === 'instance' ? 'webhookDeep' : 'zz';
        const text = where === 'top' ? nested(Math.max(1, depth), kind) : `{${JSON.stringify(field)}:${nested(depth, kind)}}`;
        // Containers, the body being level 1.
        const levels = where === 'top' ? Math.max(1, depth) : 1 + depth;
        const res = await expectNothingWritten(t, fake, () => send(route, { headers: { 'content-type': 'application/json' }, body: text }));
        const message = res.body.error.message as string;
        if (Buffer.byteLength(text) > LIMIT) {
          expect({ status: res.status, message }).toEqual({ status: 413, message: 'Request body too large' });
        } else if (where === 'top' && text.startsWith('[')) {
          expect({ status: res.status, message }).toEqual({ status: 400, message: `${PREFIX[route]}body must be a JSON object` });
        } else if (field === 'webhookDeep') {
          // An ignored field is dropped, however deep: what is left lacks the name.
          expect({ status: res.status, message }).toEqual({ status: 400, message: 'Invalid request body: name is required' });
        } else if (levels > 32) {
          expect({ status: res.status, message }).toEqual({ status: 400, message: `${PREFIX[route]}body nests deeper than 32 levels` });
        } else {
          expect(res.status).toBe(400);
          expect(message.startsWith(PREFIX[route])).toBe(true);
          expect(message).not.toContain('deeper');
        }
      }),
      fcParams(150),
    );
  }, 120_000);

  it('accepts bodies up to 64 KiB and answers 413 Request body too large above, in any encoding of the text', async () => {
    const head: Record<BodyRoute, string> = { account: '{"name":42,"pad":"', instance: '{"name":"!bad!","webhookPad":"', set: '{"pad":"' };
    const arb = fc.record({
      route: routeArb,
      size: fc.oneof(fc.integer({ min: LIMIT - 64, max: LIMIT + 64 }), fc.integer({ min: LIMIT + 65, max: 300_000 }), fc.integer({ min: 100, max: LIMIT })),
      unit: fc.constantFrom('y', 'é', '€', '😀', '\\u0000', '\\"'),
      token: fc.constantFrom('valid', 'none'),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, size, unit, token }) => {
        const start = head[route];
        const room = size - Buffer.byteLength(start) - 2;
        const units = Math.max(0, Math.floor(room / Buffer.byteLength(unit)));
        const text = start + unit.repeat(units) + 'y'.repeat(Math.max(0, room - units * Buffer.byteLength(unit))) + '"}';
        expect(Buffer.byteLength(text)).toBe(Math.max(size, Buffer.byteLength(start) + 2));
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (token === 'none') headers.token = '';
        const res = await expectNothingWritten(t, fake, () => send(route, { headers, body: text }));
        const message = res.body.error.message as string;
        if (token === 'none') {
          // Auth comes before the body (SPEC §2), also for a body too large.
          expect({ status: res.status, message }).toEqual({ status: 401, message: 'Invalid token' });
        } else if (Buffer.byteLength(text) > LIMIT) {
          expect({ status: res.status, message }).toEqual({ status: 413, message: 'Request body too large' });
        } else {
          expect(res.status).toBe(400);
          expect(message).toBe(
            route === 'account'
              ? 'Invalid request body: name must be a string; unknown field pad'
              : route === 'instance'
                ? 'Invalid request body: name must match ^[A-Za-z0-9_-]{1,64}$'
                : 'invalid body: chatwootBaseUrl is required; chatwootAccountId is required; chatwootApiToken is required; unknown field pad',
          );
        }
      }),
      fcParams(120),
    );
  }, 120_000);

  it('reads a body only as JSON: any other content type or encoding is a 400 of the route, nothing written', async () => {
    const body: Record<BodyRoute, string> = { account: '{"name":42}', instance: '{"name":42}', set: '{"chatwootAccountId":"5"}' };
    const detail: Record<BodyRoute, string> = {
      account: 'name must be a string',
      instance: 'name must be a string',
      set: 'chatwootBaseUrl is required; chatwootAccountId must be an integer greater than 0; chatwootApiToken is required',
    };
    const JSON_TYPES = ['application/json', 'APPLICATION/JSON', 'Application/Json', 'application/vnd.api+json', 'application/merge-patch+json', 'application/ld+json'];
    const OTHER_TYPES = ['text/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'application/json5', 'application/xml', 'application/octet-stream', '*/*', 'application/*', 'json', ''];
    const contentType = fc.oneof(
      fc.record({ type: fc.constantFrom(...JSON_TYPES, ...OTHER_TYPES), charset: fc.constantFrom(undefined, 'utf-8', 'UTF-8', 'latin1', 'utf-16', 'x-bogus'), extra: fc.boolean() }).map(
        ({ type, charset, extra }) => ({
          value: type + (charset ? `; charset=${charset}` : '') + (extra ? '; q=1' : ''),
          json: JSON_TYPES.includes(type),
          utf8: charset === undefined || charset.toLowerCase() === 'utf-8',
          known: true,
        }),
      ),
      // Anything a client could put in the header (Node's client accepts no control characters).
      fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c)), maxLength: 60 }).map((value) => ({ value, json: false, utf8: false, known: false })),
      fc.constant({ value: undefined as string | undefined, json: false, utf8: true, known: true }),
    );
    const arb = fc.record({ route: routeArb, contentType, encoding: fc.constantFrom(undefined, 'identity', 'gzip', 'gzip-plain', 'br', 'x-unknown') });
    await fc.assert(
      fc.asyncProperty(arb, async ({ route, contentType: ct, encoding }) => {
        const headers: Record<string, string> = {};
        if (ct.value !== undefined) headers['content-type'] = ct.value;
        let payload: string | Buffer = body[route];
        if (encoding === 'gzip') payload = gzipSync(payload);
        if (encoding !== undefined) headers['content-encoding'] = encoding === 'gzip-plain' ? 'gzip' : encoding;
        const message = await rejected(route, { headers, body: payload });
        if (!ct.known) return;
        if (!ct.json) expect(message).toBe(`${PREFIX[route]}Content-Type must be application/json`);
        else if (ct.utf8 && (encoding === undefined || encoding === 'identity' || encoding === 'gzip')) expect(message).toBe(PREFIX[route] + detail[route]);
        else expect(message).toBe(`${PREFIX[route]}malformed JSON`);
      }),
      fcParams(300),
    );
  }, 120_000);

  it('creates an instance for any valid body, and writes exactly that', async () => {
    const ignoredKey = fc.oneof(fc.constantFrom(...IGNORED_SETTINGS), fc.tuple(fc.constantFrom('webhook', 'websocket', 'proxy', 's3'), anyText(10)).map(([p, s]) => p + s));
    const inline = fc.record(
      {
        chatwootBaseUrl: validUrl,
        chatwootAccountId: fc.integer({ min: 1, max: MAX_INT }),
        chatwootInboxName: fc.option(validInbox, { nil: undefined }),
        chatwootSignMessages: fc.option(fc.boolean()),
        chatwootIgnoreGroups: fc.option(fc.boolean()),
      },
      { requiredKeys: ['chatwootBaseUrl', 'chatwootAccountId'] },
    );
    const arb = fc.record({
      suffix: fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/),
      customToken: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{0,60}$/), { nil: undefined }),
      ignored: fc.array(fc.tuple(ignoredKey, anyJson), { maxLength: 4 }),
      chatwoot: fc.oneof(
        fc.constant({ mode: 'absent' as const }),
        // Not validated when chatwootEnabled is not true (SPEC §4): anything goes.
        fc.record({ mode: fc.constant('disabled' as const), garbage: fc.array(fc.tuple(fc.constantFrom(...KNOWN.instance.slice(3)), anyJson), { maxLength: 3 }) }),
        fc.record({ mode: fc.constant('enabled' as const), block: inline }),
      ),
    });
    await fc.assert(
      fc.asyncProperty(arb, async ({ suffix, customToken, ignored, chatwoot }) => {
        counter += 1;
        const name = `v${counter}-${suffix}`.slice(0, 64);
        const token = customToken === undefined ? undefined : `it${counter}_${hex()}_${customToken}`;
        const entries: Entry[] = [['name', name], ...(token ? [['token', token] as Entry] : []), ...ignored];
        let chatwootToken: string | undefined;
        if (chatwoot.mode === 'disabled') entries.push(...chatwoot.garbage, ['chatwootEnabled', false]);
        if (chatwoot.mode === 'enabled') {
          chatwootToken = `cwi_${hex()}${hex()}`;
          ledger.add('inline chatwoot token', chatwootToken);
          entries.push(['chatwootEnabled', true], ['chatwootApiToken', chatwootToken], ...(Object.entries(chatwoot.block).filter(([, v]) => v !== undefined) as Entry[]));
        }
        const before = await rowCounts(t);
        const creates = fake.requestsOf('POST').length;
        const writes = bridgeWrites(fake);
        const res = await send('instance', { headers: { 'content-type': 'application/json' }, body: objectText(entries) });
        expect({ status: res.status, body: res.body }).toEqual({
          status: 201,
          body: {
            success: true,
            message: 'Instance created',
            instance: { name, token: token ?? expect.stringMatching(INSTANCE_TOKEN), status: 'disconnected', created_at: expect.any(String) },
            data: { token: res.body?.instance?.token },
            ...(chatwoot.mode === 'enabled' ? { chatwoot: { enabled: true, status: 'active', bridge_integration_id: expect.stringMatching(/^int_/) } } : {}),
          },
        });
        ledger.add(`instance ${name} token`, res.body.instance.token, res.text);
        const enabled = chatwoot.mode === 'enabled' ? 1 : 0;
        expect(await rowCounts(t)).toEqual({ accounts: before.accounts, instances: before.instances + 1, integrations: before.integrations + enabled });
        expect({ creates: fake.requestsOf('POST').length - creates, writes: bridgeWrites(fake) - writes }).toEqual({ creates: enabled, writes: enabled });
        if (chatwootToken) expect(fake.requestsOf('POST').at(-1)!.body.chatwoot.api_token).toBe(chatwootToken);
      }),
      fcParams(150),
    );
  }, 120_000);

  it('activates or replaces the configuration for any valid set body, and changes only that integration', async () => {
    const arb = fc.record(
      {
        chatwootBaseUrl: validUrl,
        chatwootAccountId: fc.integer({ min: 1, max: MAX_INT }),
        inboxName: fc.option(validInbox),
        signMessages: fc.option(fc.boolean()),
        ignoreGroups: fc.option(fc.boolean()),
        startAsPending: fc.option(fc.boolean()),
        reopenResolved: fc.option(fc.boolean()),
      },
      { requiredKeys: ['chatwootBaseUrl', 'chatwootAccountId'] },
    );
    const a1 = () => A.instances[0];
    await fc.assert(
      fc.asyncProperty(arb, async (fields) => {
        const chatwootToken = `cws_${hex()}${hex()}`;
        ledger.add('set chatwoot token', chatwootToken);
        const before = await rowCounts(t);
        const updates = fake.requestsOf('PUT').length;
        const res = await send('set', { headers: { 'content-type': 'application/json' }, body: objectText([...Object.entries(fields), ['chatwootApiToken', chatwootToken]]) });
        expect({ status: res.status, body: res.body }).toEqual({
          status: 201,
          body: { instance: a1().name, status: 'active', bridge_integration_id: a1().integrationId, message: 'chatwoot integration activated' },
        });
        expect(await rowCounts(t)).toEqual(before);
        expect(fake.requestsOf('PUT').length).toBe(updates + 1);
        const sent = fake.requestsOf('PUT').at(-1)!;
        expect(sent.path).toBe(`/v1/integrations/${a1().integrationId}`);
        // A set replaces everything: omitted and null optional fields take their defaults (SPEC §5).
        expect(sent.body.chatwoot).toEqual({
          base_url: normalizeHttpUrl(fields.chatwootBaseUrl),
          account_id: fields.chatwootAccountId,
          api_token: chatwootToken,
          inbox_name: typeof fields.inboxName === 'string' ? fields.inboxName.trim() : 'RyzeAPI',
          sign_messages: fields.signMessages ?? false,
          ignore_groups: fields.ignoreGroups ?? false,
          start_as_pending: fields.startAsPending ?? false,
          reopen_resolved: fields.reopenResolved ?? false,
        });
      }),
      fcParams(100),
    );
  }, 120_000);

  it('creates an account for any valid body', async () => {
    const arb = fc.record({ name: graphemeText(1, 200).filter((s) => s !== '' && codePoints(s) <= 200), quota: fc.option(fc.integer({ min: 0, max: MAX_INT }), { nil: undefined }) });
    await fc.assert(
      fc.asyncProperty(arb, async ({ name, quota }) => {
        const before = await dbFingerprint(t);
        const res = await send('account', {
          headers: { 'content-type': 'application/json' },
          body: objectText([['name', name], ...(quota === undefined ? [] : [['instanceQuota', quota] as Entry])]),
        });
        expect({ status: res.status, body: res.body }).toEqual({
          status: 201,
          body: { success: true, message: 'Account created', account: { id: expect.any(String), name, token: expect.any(String), instanceQuota: quota ?? null } },
        });
        ledger.add(`account ${res.body.account.id} token`, res.body.account.token, res.text);
        const after = JSON.parse(await dbFingerprint(t));
        expect(after).toEqual({ ...JSON.parse(before), accounts: JSON.parse(before).accounts + 1 });
      }),
      fcParams(60),
    );
  }, 120_000);

  it('leaves no secret it used in the logs, nor in any answer but the one that issued it', () => {
    // Every rejected chatwoot token and every issued instance token went through this process.
    expect(ledger.size).toBeGreaterThan(10);
    expect(ledger.responsesSeen).toBeGreaterThan(50);
    expect(t.logs.lines.length).toBeGreaterThan(50);
    expect(ledger.report(t.logs.text())).toEqual({ inResponses: [], inLogs: [] });
  });
});
