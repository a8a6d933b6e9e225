import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { HealthChecker } from '../../src/bridge/health-checker.js';
import { BridgeIntegration } from '../../src/bridge/integration.entity.js';
import { BridgeOutboundMessage } from '../../src/bridge/outbound-message.entity.js';
import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import type { HttpResponse, RequestOptions } from '../support/http.js';
import { type StartOptions, type TestApp, startTestApp } from '../support/test-app.js';
import { LOOPBACK_DOUBLES_ENV } from '../support/tenants.js';

export const BRIDGE_TOKEN = 'bridge-test-token-5f2c9a7e1d4b8c36';
/** The bridge's public URL as Chatwoot knows it; the simulator routes it to the test app. */
export const BRIDGE_PUBLIC_URL = 'http://bridge.test';

export interface BridgeHarness {
  t: TestApp;
  sim: ChatwootSimulator;
  accountId: number;
  admin: SimUser;
  /** An authenticated BRIDGE-API call. */
  call<T = any>(method: string, path: string, opts?: RequestOptions): Promise<HttpResponse<T>>;
  checker(): HealthChecker;
  rows(): Promise<BridgeIntegration[]>;
  messages(): Promise<BridgeOutboundMessage[]>;
  close(): Promise<void>;
}

/**
 * A bridge-only app (ROLES=bridge) with a Chatwoot simulator holding one account and its admin.
 * The periodic health check is off unless a test turns it on; tests call the checker directly.
 */
export async function startBridge(options: StartOptions = {}): Promise<BridgeHarness> {
  const sim = await ChatwootSimulator.start();
  const t = await startTestApp({
    ...options,
    env: {
      ROLES: 'bridge',
      BRIDGE_TOKEN,
      BRIDGE_PUBLIC_URL,
      BRIDGE_HEALTH_INTERVAL_SECONDS: '0',
      CHATWOOT_TIMEOUT_MS: '2000',
      ...LOOPBACK_DOUBLES_ENV,
      ...(options.env ?? {}),
    },
  });
  sim.routeWebhooks(BRIDGE_PUBLIC_URL, t.url);
  const accountId = sim.addAccount(5);
  const admin = sim.addUser(accountId, 'administrator');
  const ds = t.app.get(DataSource);
  return {
    t,
    sim,
    accountId,
    admin,
    call: (method, path, opts = {}) => t.req(method, path, { bearer: BRIDGE_TOKEN, ...opts }),
    checker: () => t.app.get(HealthChecker),
    rows: () => ds.getRepository(BridgeIntegration).find(),
    messages: () => ds.getRepository(BridgeOutboundMessage).find({ order: { receivedAt: 'ASC' } }),
    close: async () => {
      await t.close();
      await sim.close();
    },
  };
}

let counter = 0;

/**
 * A valid create/replace body (BRIDGE-API §2); `chatwoot` and top-level fields overridable. Each
 * body names an inbox of its own: one inbox never routes for two integrations (BRIDGE-API §4).
 */
export function integrationBody(
  h: Pick<BridgeHarness, 'sim' | 'accountId' | 'admin'>,
  overrides: { external_id?: string; instance?: string; chatwoot?: Record<string, unknown>; source?: Record<string, unknown> } = {},
): Record<string, unknown> {
  counter += 1;
  return {
    external_id: overrides.external_id ?? `ext-${counter}-${randomBytes(4).toString('hex')}`,
    instance: overrides.instance ?? 'suporte',
    chatwoot: {
      base_url: h.sim.url,
      account_id: h.accountId,
      api_token: h.admin.token,
      inbox_name: `WhatsApp - Orion ${counter}`,
      sign_messages: true,
      ignore_groups: false,
      start_as_pending: false,
      reopen_resolved: true,
      ...(overrides.chatwoot ?? {}),
    },
    source: {
      api_url: 'https://api.example.com',
      instance: 'suporte',
      token: `cb_${randomBytes(12).toString('hex')}`,
      ...(overrides.source ?? {}),
    },
  };
}

/** BRIDGE-API §1's fields, in the order the bridge writes them. */
export const INTEGRATION_KEYS = ['id', 'external_id', 'instance', 'status', 'inbox_id', 'inbox_name', 'last_error', 'updated_at'];

export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
