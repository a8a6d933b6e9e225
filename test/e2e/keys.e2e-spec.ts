import { Curve } from '@whiskeysockets/baileys';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli.js';
import { SecretCipher } from '../../src/common/crypto/secret-cipher.js';
import { keyIdOf, loadConfig } from '../../src/config/config.js';
import { BaileysAuthStore } from '../../src/whatsapp/baileys/baileys-auth-store.js';
import { FakeBridge } from '../fakes/fake-bridge.js';
import { CHATWOOT_TOKEN, setBody, startWithBridge } from '../support/chatwoot.js';
import { cloudFields, createAccount, createInstance } from '../support/factories.js';
import { createTestDatabase } from '../support/test-database.js';

describe('key rotation (SPEC §6)', () => {
  it('refuses to boot with a wrong key, reads with a previous key, and rotates everything to the current one', async () => {
    const fake = await new FakeBridge().start();
    const db = await createTestDatabase();
    const dir = db.databaseUrl ? db.embeddedDatabaseDir : `/tmp/keys-test-${randomBytes(4).toString('hex')}`;
    const shared = { ...db, embeddedDatabaseDir: dir };
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const oldId = keyIdOf(Buffer.from(oldKey, 'base64'));
    const newId = keyIdOf(Buffer.from(newKey, 'base64'));
    try {
      // Two integrations written under the old key.
      const first = await startWithBridge(fake, { db: shared, env: { ENCRYPTION_KEY: oldKey } });
      const account = await createAccount(first);
      let baileysInstance = '';
      for (let i = 0; i < 2; i += 1) {
        const inst = await createInstance(first, account);
        expect((await first.req('POST', `/api/chatwoot/set/${inst.name}`, { token: account.token, json: setBody() })).status).toBe(201);
        baileysInstance = inst.name;
      }
      // A Cloud API instance (two secrets) and a Baileys session (its creds and two Signal keys).
      await createInstance(first, account, { provider: 'cloud', ...cloudFields() });
      const ds = first.app.get(DataSource);
      const [{ id }]: Array<{ id: string }> = await ds.query(`SELECT id FROM instances WHERE name = $1`, [baileysInstance]);
      const session = new BaileysAuthStore(ds, new SecretCipher({ id: oldId, key: Buffer.from(oldKey, 'base64') })).create(id);
      await session.saveCreds();
      await session.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() }, 'device-list': { '5511888888888': ['0'] } });
      await first.close();

      // A wrong key: a clear boot error naming the unknown key id.
      await expect(startWithBridge(fake, { db: shared, env: { ENCRYPTION_KEY: newKey } })).rejects.toThrow(
        new RegExp(`stored secrets are encrypted with key id\\(s\\) ${oldId}, which neither ENCRYPTION_KEY \\(${newId}\\)`),
      );

      // New key with the old one as previous: boots; rotation re-encrypts every secret.
      const env = { ENCRYPTION_KEY: newKey, ENCRYPTION_KEYS_PREVIOUS: oldKey, ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}), ROLES: 'api' };
      const config = loadConfig(env, { embeddedDatabaseDir: dir, embeddedDatabaseSeed: db.embeddedDatabaseSeed });
      const out: string[] = [];
      expect(await runCli(['keys:rotate'], config, (s) => void out.push(s))).toBe(0);
      expect(out.join('')).toContain(`re-encrypted 7 secrets under key ${newId}`);
      expect(out.join('')).toContain('chatwoot_integrations.chatwoot_api_token: 2');
      expect(out.join('')).toContain('instances.cloud_access_token: 1');
      expect(out.join('')).toContain('instances.cloud_app_secret: 1');
      expect(out.join('')).toContain('whatsapp_sessions.creds: 1');
      expect(out.join('')).toContain('whatsapp_session_keys.value: 2');
      out.length = 0;
      expect(await runCli(['keys:rotate'], config, (s) => void out.push(s))).toBe(0);
      expect(out.join('')).toContain('re-encrypted 0 secrets');

      // The old key can now be dropped: boots, and every secret decrypts with the new key alone.
      const after = await startWithBridge(fake, { db: shared, env: { ENCRYPTION_KEY: newKey } });
      try {
        const stored: Array<{ chatwoot_api_token: string }> = await after.app.get(DataSource).query(`SELECT chatwoot_api_token FROM chatwoot_integrations`);
        expect(stored).toHaveLength(2);
        const cipher = new SecretCipher({ id: newId, key: Buffer.from(newKey, 'base64') });
        for (const row of stored) {
          expect(row.chatwoot_api_token.startsWith(`v1.${newId}.`)).toBe(true);
          expect(cipher.decrypt(row.chatwoot_api_token)).toBe(CHATWOOT_TOKEN);
        }
        const others: Array<{ value: string }> = await after.app.get(DataSource).query(
          `SELECT cloud_access_token AS value FROM instances WHERE cloud_access_token IS NOT NULL
           UNION ALL SELECT creds FROM whatsapp_sessions UNION ALL SELECT value FROM whatsapp_session_keys`,
        );
        expect(others).toHaveLength(4);
        for (const row of others) expect(() => cipher.decrypt(row.value)).not.toThrow();
      } finally {
        await after.close();
      }
    } finally {
      await fake.stop();
      await db.drop();
      if (!db.databaseUrl) rmSync(dir, { recursive: true, force: true });
    }
  });
});
