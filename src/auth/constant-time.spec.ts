import { jest } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { createHash, createHmac } from 'node:crypto';

/**
 * SPEC §2: tokens are compared in constant time. Every comparison of a presented secret with a
 * stored one goes through constantTimeEquals, which hands crypto.timingSafeEqual two SHA-256
 * digests, so that neither the value nor the length of the presented secret shows in the time
 * taken. No timing is measured here: the seam is node:crypto's timingSafeEqual, replaced by a spy
 * that calls the real one.
 */

type Crypto = typeof import('node:crypto');
const actual = jest.requireActual<Crypto>('node:crypto');
const timingSafeEqual = jest.fn((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => actual.timingSafeEqual(a, b));
jest.unstable_mockModule('node:crypto', () => ({ ...actual, default: actual, timingSafeEqual }));

// Imported after the mock, so that they bind to the spy.
const { constantTimeEquals, hashToken } = await import('../common/auth/tokens.js');
const { AuthGuard } = await import('../common/auth/auth.guard.js');
const { PrincipalResolver } = await import('./principal-resolver.js');
const { PrincipalCache } = await import('./principal-cache.js');
const { MetricsService } = await import('../metrics/metrics.service.js');
const { BridgeAuthGuard } = await import('../bridge/bridge-auth.guard.js');
const { checkChatwootSignature } = await import('../bridge/webhook-signature.js');
const { WebhooksService } = await import('../bridge/webhooks.service.js');

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const calls = () => timingSafeEqual.mock.calls.map(([a, b]) => [Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)]);

function httpContext(headers: Record<string, string>): ExecutionContext {
  const req = { headers };
  return { getHandler: () => undefined, getClass: () => undefined, switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

beforeEach(() => timingSafeEqual.mockClear());

describe('constantTimeEquals', () => {
  it('hashes both sides to 32 bytes, so that the comparison never depends on a length', () => {
    expect(constantTimeEquals('bridge-token', 'bridge-token')).toBe(true);
    expect(constantTimeEquals('bridge-token', 'bridge-tokem')).toBe(false);
    expect(constantTimeEquals('short', 'a much longer value than the other one')).toBe(false);
    expect(constantTimeEquals('', 'bridge-token')).toBe(false);
    expect(calls()).toEqual([
      [sha256('bridge-token'), sha256('bridge-token')],
      [sha256('bridge-token'), sha256('bridge-tokem')],
      [sha256('short'), sha256('a much longer value than the other one')],
      [sha256(''), sha256('bridge-token')],
    ]);
  });
});

describe('AuthGuard (SPEC §2: the API token check)', () => {
  const config = { adminToken: 'admin-token-0123456789' } as never;
  const reflector = (kind: string) => ({ getAllAndOverride: () => kind }) as never;

  it('checks the admin token with constantTimeEquals', async () => {
    const guard = new AuthGuard(reflector('admin'), {} as never, config);
    await expect(guard.canActivate(httpContext({ token: 'admin-token-0123456789' }))).resolves.toBe(true);
    await expect(guard.canActivate(httpContext({ token: 'a-much-longer-wrong-admin-token-value' }))).rejects.toMatchObject({ status: 401 });
    const expected = sha256('admin-token-0123456789');
    expect(calls()).toEqual([
      [expected, expected],
      [sha256('a-much-longer-wrong-admin-token-value'), expected],
    ]);
  });

  it('checks an account or instance token by comparing the stored digest with constantTimeEquals', async () => {
    const presented = 'account-token-0123456789';
    const dataSource = { query: async () => [{ kind: 'account', account_id: 'acc-1', instance_id: null, instance_name: null, token_hash: hashToken(presented) }] };
    const metrics = new MetricsService();
    const resolver = new PrincipalResolver(dataSource as never, new PrincipalCache({ authCacheTtlSeconds: 0 }, metrics), metrics);
    const guard = new AuthGuard(reflector('any'), resolver, config);
    await expect(guard.canActivate(httpContext({ authorization: `Bearer ${presented}` }))).resolves.toBe(true);
    expect(calls()).toEqual([[sha256(hashToken(presented)), sha256(hashToken(presented))]]);
  });
});

describe('the bridge: bearer token, webhook secret and signature', () => {
  it('BridgeAuthGuard checks the bearer token with it', () => {
    const guard = new BridgeAuthGuard({ bridgeToken: 'bridge-token-0123456789' } as never);
    expect(guard.canActivate(httpContext({ authorization: 'Bearer bridge-token-0123456789' }))).toBe(true);
    expect(() => guard.canActivate(httpContext({ authorization: 'Bearer bridge-token-012345678' }))).toThrow('missing or invalid bearer token');
    expect(calls()).toEqual([
      [sha256('bridge-token-0123456789'), sha256('bridge-token-0123456789')],
      [sha256('bridge-token-012345678'), sha256('bridge-token-0123456789')],
    ]);
  });

  it('the webhook receiver checks the URL secret with it', async () => {
    const row = { id: 'int_1', inboxId: 7, webhookSecretEncrypted: 'enc:url-secret-0123456789', inboxSigningSecretEncrypted: null };
    const repo = { findWebhookTarget: async () => row, recordOutboundMessage: async () => true };
    const cipher = { decrypt: (v: string) => v.replace(/^enc:/, '') };
    const routing = { replyRecorded: () => undefined, replyChanged: () => undefined, conversationChanged: () => undefined };
    const service = new WebhooksService(repo as never, cipher as never, routing as never);
    const delivery = { integrationId: 'int_1', timestamp: undefined, signature: undefined, rawBody: Buffer.from('{"event":"conversation_updated"}') };
    await expect(service.receive({ ...delivery, secret: 'url-secret-0123456789' })).resolves.toBe('ignored');
    await expect(service.receive({ ...delivery, secret: 'url-secret-012345678X' })).rejects.toMatchObject({ code: 'not_found' });
    // An unknown integration is compared too (against a stand-in), so that it takes as long.
    const unknown = new WebhooksService({ findWebhookTarget: async () => null } as never, cipher as never, routing as never);
    await expect(unknown.receive({ ...delivery, secret: 'url-secret-0123456789' })).rejects.toMatchObject({ code: 'not_found' });
    expect(calls()).toEqual([
      [sha256('url-secret-0123456789'), sha256('url-secret-0123456789')],
      [sha256('url-secret-012345678X'), sha256('url-secret-0123456789')],
      [sha256('url-secret-0123456789'), sha256('x'.repeat(43))],
    ]);
  });

  it('the Chatwoot signature check compares the two 32-byte HMACs with it', () => {
    const now = 1_776_000_000;
    const body = Buffer.from('{"event":"message_created"}');
    const mac = createHmac('sha256', 'inbox-secret').update(`${now}.`).update(body).digest();
    expect(checkChatwootSignature('inbox-secret', String(now), `sha256=${mac.toString('hex')}`, body, now)).toBe('valid');
    const wrong = Buffer.from(mac);
    wrong[31] ^= 1;
    expect(checkChatwootSignature('inbox-secret', String(now), `sha256=${wrong.toString('hex')}`, body, now)).toBe('mismatch');
    expect(calls()).toEqual([[mac, mac], [mac, wrong]]);
  });
});
