import { randomBytes } from 'node:crypto';
import type { FakeBridge } from '../fakes/fake-bridge.js';
import { setBody } from './chatwoot.js';
import { instanceName } from './factories.js';
import type { SecretLedger } from './property.js';
import { TEST_ADMIN_TOKEN, type TestApp } from './test-app.js';

export interface TenantInstance {
  label: string;
  name: string;
  token: string;
  chatwootToken: string;
  integrationId: string;
}

export interface Tenant {
  label: string;
  id: string;
  token: string;
  instances: TenantInstance[];
}

/**
 * The doubles (Chatwoot, media servers) listen on 127.0.0.1, which the default address policy
 * refuses (SPEC §1): suites that reach them open loopback as an operator of a self-hosted Chatwoot
 * would. The policy's own tests leave it closed.
 */
export const LOOPBACK_DOUBLES_ENV = { CHATWOOT_ALLOWED_HOSTS: '127.0.0.1' };

/** Budgets high enough that thousands of requests of one suite never meet the rate limit. */
export const UNLIMITED_RATE_ENV = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_CREATE_PER_MINUTE: '1000000',
  RATE_LIMIT_UNKNOWN_TOKEN_PER_MINUTE: '1000000',
};

/**
 * Accounts `A`, `B`, … with instances `A1`, `A2`, … each with an active chatwoot integration made
 * through the fake bridge. Every token issued or sent goes into the ledger, with the answer that
 * issued it.
 */
export async function createTenants(t: TestApp, fake: FakeBridge, ledger: SecretLedger, labels: string[], instancesEach: number): Promise<Tenant[]> {
  ledger.add('admin token', TEST_ADMIN_TOKEN);
  ledger.add('bridge token', fake.token);
  const tenants: Tenant[] = [];
  for (const label of labels) {
    const account = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: `tenant ${label}` } });
    if (account.status !== 201) throw new Error(`account ${label}: ${account.status} ${account.text}`);
    ledger.add(`account ${label} token`, account.body.account.token, account.text);
    const tenant: Tenant = { label, id: account.body.account.id, token: account.body.account.token, instances: [] };
    for (let i = 1; i <= instancesEach; i += 1) {
      const name = instanceName(`${label.toLowerCase()}${i}`);
      const created = await t.req('POST', '/api/instance/new', { token: tenant.token, json: { name } });
      if (created.status !== 201) throw new Error(`instance ${label}${i}: ${created.status} ${created.text}`);
      ledger.add(`instance ${label}${i} token`, created.body.instance.token, created.text);
      const chatwootToken = `cw_${label}${i}_${randomBytes(12).toString('hex')}`;
      ledger.add(`chatwoot token of ${label}${i}`, chatwootToken);
      const set = await t.req('POST', `/api/chatwoot/set/${name}`, { token: tenant.token, json: setBody({ chatwootApiToken: chatwootToken }) });
      if (set.status !== 201) throw new Error(`chatwoot set ${label}${i}: ${set.status} ${set.text}`);
      ledger.scan(`chatwoot set ${label}${i}`, set.text);
      tenant.instances.push({ label: `${label}${i}`, name, token: created.body.instance.token, chatwootToken, integrationId: set.body.bridge_integration_id });
    }
    tenants.push(tenant);
  }
  return tenants;
}
