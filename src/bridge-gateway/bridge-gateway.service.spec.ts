import type { Dispatcher } from 'undici';
import { MetricsService } from '../metrics/metrics.service.js';
import { BridgeGatewayError } from './bridge-gateway.errors.js';
import { BridgeGateway } from './bridge-gateway.service.js';
import { Deadline, type ProvisionRequest } from './bridge-gateway.types.js';

/**
 * How the gateway reads undici's failures (SPEC §5: a bridge that cannot be reached is 502
 * "unreachable", not 504). The failures that a loopback test cannot produce (a connect that
 * never completes needs an address that swallows SYNs) are undici's errors handed over by a fake
 * dispatcher; the others are exercised on real sockets in test/e2e and test/faults.
 */
const config = { bridgeUrl: 'http://bridge:8080', bridgeToken: 'bridge-token-0123456789', bridgeTimeouts: { getMs: 10_000, deleteMs: 30_000, activationMs: 60_000 } };

function failingWith(error: Error & { code?: string }): BridgeGateway {
  const dispatcher = { request: async () => Promise.reject(error) } as unknown as Dispatcher;
  return new BridgeGateway(dispatcher, config as never, new MetricsService());
}

const failure = (gateway: BridgeGateway) =>
  gateway.get('int_1').then(
    () => null,
    (err: unknown) => (err instanceof BridgeGatewayError ? { ...err.failure, dropped: err.dropped } : err),
  );

describe('BridgeGateway: undici failures', () => {
  it('takes a connect that timed out as unreachable', async () => {
    const err = Object.assign(new Error('Connect Timeout Error (attempted address: bridge:8080, timeout: 5000ms)'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
    expect(await failure(failingWith(err))).toEqual({
      kind: 'unreachable',
      detail: 'GET http://bridge:8080/v1/integrations/int_1: Connect Timeout Error (attempted address: bridge:8080, timeout: 5000ms)',
      dropped: false,
    });
  });

  it('reads a refusal to every address of a host (an AggregateError without a message) from its parts', async () => {
    const parts = [Object.assign(new Error('connect ECONNREFUSED 10.0.0.12:8080'), { code: 'ECONNREFUSED' }), Object.assign(new Error('connect ECONNREFUSED ::1:8080'), { code: 'ECONNREFUSED' })];
    const err = Object.assign(new AggregateError(parts, ''), { code: 'ECONNREFUSED' });
    expect(await failure(failingWith(err))).toEqual({
      kind: 'unreachable',
      detail: 'GET http://bridge:8080/v1/integrations/int_1: connect ECONNREFUSED 10.0.0.12:8080; connect ECONNREFUSED ::1:8080',
      dropped: false,
    });
  });

  it('takes a connection closed before the answer as a failure that an idempotent call may retry', async () => {
    const err = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(await failure(failingWith(err))).toEqual({ kind: 'failed', detail: 'GET http://bridge:8080/v1/integrations/int_1: other side closed', dropped: true });
  });

  it('takes an answer over the size limit as a failure', async () => {
    const err = Object.assign(new Error('Response content exceeded max size'), { code: 'UND_ERR_RES_EXCEEDED_MAX_SIZE' });
    expect(await failure(failingWith(err))).toMatchObject({ kind: 'failed', dropped: false });
  });

  it('never lets BRIDGE_TOKEN through in a detail', async () => {
    const err = new Error(`refused: Bearer ${config.bridgeToken}`);
    const detail = ((await failure(failingWith(err))) as { detail: string }).detail;
    expect(detail).not.toContain(config.bridgeToken);
  });
});

describe('BridgeGateway: secrets in a quoted body', () => {
  const apiToken = 'cw-api-token-0123456789abcdef';
  const request: ProvisionRequest = {
    external_id: 'ext-1',
    instance: 'suporte',
    chatwoot: {
      base_url: 'https://chatwoot.example.com', account_id: 5, api_token: apiToken, inbox_name: 'RyzeAPI',
      sign_messages: false, ignore_groups: false, start_as_pending: false, reopen_resolved: false,
    },
    source: { api_url: 'https://api.example.com', instance: 'suporte', token: 'callback-token-0123456789' },
  };

  it('redacts before it cuts the body to 200 characters, so that no part of a secret survives the cut', async () => {
    // The token starts 4 characters before the cut: cutting first would leave `cw-a`.
    const body = JSON.stringify({ echo: `${'x'.repeat(187)}${apiToken}` });
    const dispatcher = { request: async () => ({ statusCode: 201, body: { text: async () => body } }) } as unknown as Dispatcher;
    const gateway = new BridgeGateway(dispatcher, config as never, new MetricsService());
    const detail = await gateway.create(request, new Deadline(1_000)).then(
      () => null,
      (err: unknown) => (err as BridgeGatewayError).failure.detail,
    );
    expect(body.indexOf(apiToken)).toBe(196);
    expect(detail).toBe(`unexpected body with HTTP 201: ${JSON.stringify({ echo: `${'x'.repeat(187)}[REDACTED]` }).slice(0, 200)}`);
    expect(detail).not.toContain(apiToken.slice(0, 4));
  });
});
