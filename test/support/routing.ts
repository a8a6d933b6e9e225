import { ChatwootSimulator, type SimUser } from '../fakes/chatwoot-simulator.js';
import { refusedPort } from '../fakes/fake-bridge.js';
import { createAccount, type TestAccount } from './factories.js';
import { startTestApp, type StartOptions, type TestApp } from './test-app.js';
import { LOOPBACK_DOUBLES_ENV, UNLIMITED_RATE_ENV } from './tenants.js';

const BRIDGE_PUBLIC_URL = 'http://bridge.test';

export interface RoutingSetup {
  t: TestApp;
  sim: ChatwootSimulator;
  /** An administrator of `accountId` in the Chatwoot double, named Ana. */
  admin: SimUser;
  account: TestAccount;
  close(): Promise<void>;
}

/**
 * The embedded default (API and bridge in one process) with the Chatwoot double, whose webhooks
 * reach the bridge at its public URL: what the routing suites run against.
 */
export async function startRouting(accountId: number, env: Record<string, string>, overrides: StartOptions['overrides'] = {}): Promise<RoutingSetup> {
  const sim = await ChatwootSimulator.start();
  sim.addAccount(accountId);
  const admin = sim.addUser(accountId, 'administrator', { name: 'Ana' });
  const port = await refusedPort();
  const t = await startTestApp({
    env: {
      ...UNLIMITED_RATE_ENV, ...LOOPBACK_DOUBLES_ENV, ROLES: 'api,bridge', PORT: String(port), BRIDGE_PUBLIC_URL, BRIDGE_HEALTH_INTERVAL_SECONDS: '0',
      CHATWOOT_TIMEOUT_MS: '2000', ...env,
    },
    overrides,
  });
  sim.routeWebhooks(BRIDGE_PUBLIC_URL, t.url);
  const account = await createAccount(t);
  return { t, sim, admin, account, close: async () => {
    await t.close();
    await sim.close();
  } };
}
