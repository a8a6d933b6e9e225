import { randomBytes } from 'node:crypto';
import { TEST_ADMIN_TOKEN, type TestApp } from './test-app.js';

export interface TestAccount {
  id: string;
  token: string;
}

export interface TestInstance {
  name: string;
  token: string;
}

let counter = 0;

/** A unique, valid instance name. */
export function instanceName(prefix = 'inst'): string {
  counter += 1;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

export async function createAccount(t: TestApp, body: Record<string, unknown> = {}): Promise<TestAccount> {
  const res = await t.req('POST', '/api/admin/account/new', { token: TEST_ADMIN_TOKEN, json: { name: 'acme', ...body } });
  if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${res.text}`);
  return { id: res.body.account.id, token: res.body.account.token };
}

export async function createInstance(t: TestApp, account: TestAccount, body: Record<string, unknown> = {}): Promise<TestInstance> {
  const name = (body.name as string | undefined) ?? instanceName();
  const res = await t.req('POST', '/api/instance/new', { token: account.token, json: { name, ...body } });
  if (res.status !== 201) throw new Error(`instance creation failed: ${res.status} ${res.text}`);
  return { name, token: res.body.instance.token };
}
