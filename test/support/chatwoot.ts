import type { AppConfig } from '../../src/config/config.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { createAccount, createInstance, type TestAccount, type TestInstance } from './factories.js';
import { startTestApp, type StartOptions, type TestApp } from './test-app.js';

export const CHATWOOT_TOKEN = 'cw_secret_token_Z9y8X7w6';

/** A valid set body (SPEC §5), with overrides. */
export function setBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    chatwootBaseUrl: 'https://chatwoot.example.com/',
    chatwootAccountId: 5,
    chatwootApiToken: CHATWOOT_TOKEN,
    inboxName: 'WhatsApp - Orion',
    signMessages: true,
    ignoreGroups: false,
    startAsPending: false,
    reopenResolved: true,
    ...overrides,
  };
}

/** Budgets shortened so that timeouts are tested in milliseconds, not minutes. */
export const SHORT_TIMEOUTS: Partial<AppConfig> = {
  bridgeTimeouts: { activationMs: 1_500, getMs: 400, deleteMs: 400 },
  chatwootWorkerIntervalMs: 150,
  // Other suites must not inherit an open circuit from the previous test; the live-status suite
  // sets its own pause.
  liveStatusBreakerPauseMs: 1,
};

/** The app wired to a fake bridge. */
export function startWithBridge(fake: FakeBridge, options: StartOptions = {}): Promise<TestApp> {
  return startTestApp({
    ...options,
    env: { BRIDGE_URL: fake.url, BRIDGE_TOKEN: fake.token, ...(options.env ?? {}) },
    overrides: { ...SHORT_TIMEOUTS, ...(options.overrides ?? {}) },
  });
}

/** Waits until `check` passes (polling), for background work. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5_000, everyMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }
}

export interface ChatwootSuite {
  readonly fake: FakeBridge;
  /** The app, for the whole suite. */
  t: TestApp;
  /** A fresh account and instance for each test. */
  account: TestAccount;
  inst: TestInstance;
}

/**
 * The fixture of the chatwoot suites: a fake bridge and the app wired to it for the whole suite,
 * the fake reset and a fresh account and instance before each test. Call it inside `describe`.
 */
export function chatwootSuite(options: StartOptions = {}): ChatwootSuite {
  const s = { fake: new FakeBridge() } as ChatwootSuite;
  beforeAll(async () => {
    await s.fake.start();
    s.t = await startWithBridge(s.fake, options);
  });
  beforeEach(async () => {
    s.fake.reset();
    s.account = await createAccount(s.t);
    s.inst = await createInstance(s.t, s.account);
  });
  afterAll(async () => {
    await s.t?.close();
    await s.fake.stop();
  });
  return s;
}

