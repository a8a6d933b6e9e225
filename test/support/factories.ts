import { randomBytes } from 'node:crypto';
import type { Instance } from '../../src/instances/instance.entity.js';
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

/** An instance row as the entity holds it, for unit tests of code that takes one. */
export function testInstance(over: Partial<Instance> = {}): Instance {
  return {
    id: '00000000-0000-4000-8000-000000000001', accountId: '00000000-0000-4000-8000-000000000002', name: 'inst', tokenHash: 'x'.repeat(64),
    status: 'disconnected', provider: 'baileys', cloudPhoneNumberId: null, cloudAccessToken: null, cloudAppSecret: null,
    cloudVerifyTokenHash: null, pairing: null, lastEventSeq: 0, prunedThroughSeq: 0, cloudWebhookAt: null, createdAt: new Date(0), ...over,
  };
}

let phoneNumbers = 0;

/** The creation fields of a Cloud API instance (SPEC-MESSAGING §8), with a phone number id of its own. */
export function cloudFields(over: Partial<Record<'cloudPhoneNumberId' | 'cloudAccessToken' | 'cloudAppSecret' | 'cloudVerifyToken', string>> = {}) {
  phoneNumbers += 1;
  return {
    cloudPhoneNumberId: `${Date.now() % 1_000_000_000}${String(phoneNumbers).padStart(4, '0')}${randomBytes(2).readUInt16BE(0)}`,
    cloudAccessToken: `EAAG${randomBytes(24).toString('hex')}`,
    cloudAppSecret: randomBytes(16).toString('hex'),
    cloudVerifyToken: `verify-${randomBytes(8).toString('hex')}`,
    ...over,
  };
}
