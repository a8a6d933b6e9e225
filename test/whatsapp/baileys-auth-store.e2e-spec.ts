import { Curve, BufferJSON, initAuthCreds, type SignalDataSet, type SignalDataTypeMap } from '@whiskeysockets/baileys';
import { randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../ormconfig.js';
import { SecretCipher } from '../../src/common/crypto/secret-cipher.js';
import { KnownSecrets, SecretScrubber } from '../../src/common/logging/secrets.js';
import { keyIdOf } from '../../src/config/config.js';
import { BaileysAuthStore, SIGNAL_CATEGORIES, type SignalCategory } from '../../src/whatsapp/baileys/baileys-auth-store.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** One realistic value of every rc14 key category, as Baileys and libsignal write them. */
function sampleKeys(): Required<{ [T in SignalCategory]: { [id: string]: SignalDataTypeMap[T] } }> {
  return {
    'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() },
    // libsignal stores a plain object, not the Uint8Array the type claims.
    session: { '5511888888888.0': { _sessions: { [randomBytes(33).toString('base64')]: { registrationId: 42 } }, version: 'v1' } as unknown as Uint8Array },
    'sender-key': { '120363000000000001@g.us::5511888888888::0': Buffer.from(JSON.stringify([{ senderKeyId: 7 }])) },
    'sender-key-memory': { '120363000000000001@g.us': { '5511888888888:0@s.whatsapp.net': true } },
    'app-state-sync-key': { 'AAAAAF/x+w==': { keyData: randomBytes(32), fingerprint: { rawId: 3, currentIndex: 1, deviceIndexes: [0, 2] } } },
    'app-state-sync-version': { regular_high: { version: 12, hash: randomBytes(128), indexValueMap: { 'qE3/zz==': { valueMac: randomBytes(32) } } } },
    'lid-mapping': { '5511888888888': '987654321012345', '987654321012345_reverse': '5511888888888' },
    'device-list': { '5511888888888': ['0', '12'] },
    tctoken: { '987654321012345@lid': { token: randomBytes(24), timestamp: '1700000000' }, __index: { token: Buffer.alloc(0) } },
    'identity-key': { '5511888888888.0': new Uint8Array(randomBytes(33)) },
  };
}

const asJson = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);

describe('BaileysAuthStore (SPEC-MESSAGING §8 sessions, SPEC §6)', () => {
  let db: TestDatabase;
  let dir: string;
  let ds: DataSource;
  let cipher: SecretCipher;
  let known: KnownSecrets;
  let instanceId: string;

  /** A new data source on the same database: what a restarted process sees. */
  const open = async () => new DataSource(buildDataSourceOptions({ ...db, embeddedDatabaseDir: dir })).initialize();

  // One database for the file (opening and migrating an on-disk PGlite costs seconds); each test
  // has an instance of its own, and every read below is of that instance.
  beforeAll(async () => {
    db = await createTestDatabase();
    // PGlite in memory does not outlive its data source: a directory, so that a restart sees it.
    dir = db.databaseUrl ? db.embeddedDatabaseDir : `/tmp/baileys-auth-${randomBytes(4).toString('hex')}`;
    ds = await open();
    await ds.runMigrations();
  });

  afterAll(async () => {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
    if (!db.databaseUrl) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    if (!ds.isInitialized) ds = await open();
    const key = randomBytes(32);
    known = new KnownSecrets();
    cipher = new SecretCipher({ id: keyIdOf(key), key }, [], known);
    const accountId = randomUUID();
    instanceId = randomUUID();
    await ds.query(`INSERT INTO "accounts" ("id", "name", "token_hash") VALUES ($1, $2, $3)`, [accountId, `acme-${accountId}`, randomBytes(32).toString('hex')]);
    await ds.query(`INSERT INTO "instances" ("id", "account_id", "name", "token_hash") VALUES ($1, $2, $3, $4)`, [
      instanceId, accountId, `inst-${instanceId.slice(0, 8)}`, randomBytes(32).toString('hex'),
    ]);
  });


  const keyRows = async (source = ds) =>
    (await source.query(`SELECT "category", "key_id", "value" FROM "whatsapp_session_keys" WHERE "instance_id" = $1`, [instanceId])) as Array<{
      category: string; key_id: string; value: string;
    }>;

  it('load() is null without a session; creds and every key category survive a restart byte for byte', async () => {
    const store = new BaileysAuthStore(ds, cipher);
    expect(await store.load(instanceId)).toBeNull();

    const session = store.create(instanceId);
    expect(session.saved).toBe(false);
    Object.assign(session.state.creds, { me: { id: '5511999999999:12@s.whatsapp.net', lid: '123456789:12@lid', name: 'Me' }, nextPreKeyId: 31 });
    await session.saveCreds();
    expect(session.saved).toBe(true);
    const keys = sampleKeys();
    await session.state.keys.set(keys);

    await ds.destroy();
    ds = await open();
    const reloaded = await new BaileysAuthStore(ds, cipher).load(instanceId);
    expect(reloaded).not.toBeNull();
    expect(reloaded!.saved).toBe(true);
    expect(asJson(reloaded!.state.creds)).toBe(asJson(session.state.creds));
    expect(Buffer.isBuffer(reloaded!.state.creds.noiseKey.private)).toBe(true);
    for (const category of SIGNAL_CATEGORIES) {
      const ids = Object.keys(keys[category]);
      const got = await reloaded!.state.keys.get(category, [...ids, 'absent']);
      expect(Object.keys(got).sort()).toEqual([...ids].sort());
      if (category === 'app-state-sync-key') {
        const [id] = ids;
        const value = got[id] as SignalDataTypeMap['app-state-sync-key'];
        expect(Buffer.from(value.keyData!).equals(keys[category][id].keyData as Buffer)).toBe(true);
        expect(value.fingerprint?.deviceIndexes).toEqual([0, 2]);
      } else {
        expect(asJson(got)).toBe(asJson(keys[category]));
      }
    }
    expect(await keyRows()).toHaveLength(SIGNAL_CATEGORIES.reduce((n, c) => n + Object.keys(keys[c]).length, 0));
  });

  it('a null value deletes; a set whose second write fails writes nothing, and the cache keeps the committed value', async () => {
    const session = new BaileysAuthStore(ds, cipher).create(instanceId);
    const old = Curve.generateKeyPair();
    await session.state.keys.set({ 'pre-key': { '7': old, '8': Curve.generateKeyPair() } });
    await session.state.keys.set({ 'pre-key': { '8': null } });
    expect((await keyRows()).map((r) => r.key_id)).toEqual(['7']);

    // Delete 7, write a session, and a key id longer than key_id's 255 characters: all or nothing.
    const failing: SignalDataSet = {
      'pre-key': { '7': null },
      session: { '5511888888888.0': new Uint8Array([1, 2, 3]) },
      'sender-key': { ['x'.repeat(300)]: new Uint8Array([4]) },
    };
    await expect(session.state.keys.set(failing)).rejects.toThrow();
    expect((await keyRows()).map((r) => `${r.category}/${r.key_id}`)).toEqual(['pre-key/7']);
    expect(asJson(await session.state.keys.get('pre-key', ['7']))).toBe(asJson({ '7': old }));
    expect(await session.state.keys.get('session', ['5511888888888.0'])).toEqual({});

    // A failure past the first INSERT batch (a trigger the test installs), with 1,500 pre-keys before it.
    await ds.query(`
      CREATE FUNCTION "test_poison"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW."key_id" = 'poison' THEN RAISE EXCEPTION 'poisoned'; END IF; RETURN NEW; END $$`);
    await ds.query(`CREATE TRIGGER "test_poison" BEFORE INSERT ON "whatsapp_session_keys" FOR EACH ROW EXECUTE FUNCTION "test_poison"()`);
    const many: SignalDataSet = { 'pre-key': {}, 'identity-key': { poison: new Uint8Array(33) } };
    for (let i = 100; i < 1600; i += 1) many['pre-key']![String(i)] = Curve.generateKeyPair();
    await expect(session.state.keys.set(many)).rejects.toThrow(/poisoned/);
    expect(await keyRows()).toHaveLength(1);
    await ds.query(`DROP TRIGGER "test_poison" ON "whatsapp_session_keys"`);
    await ds.query(`DROP FUNCTION "test_poison"()`);
  });

  it('a set that resolved is there after the data source is closed and reopened (nothing waits for a flush)', async () => {
    const session = new BaileysAuthStore(ds, cipher).create(instanceId);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 20; i += 1) {
      session.state.creds.nextPreKeyId = i + 1;
      writes.push(session.saveCreds());
      writes.push(Promise.resolve(session.state.keys.set({ session: { [`peer${i}.0`]: new Uint8Array([i]) }, 'pre-key': { [String(i)]: null } })));
    }
    await Promise.all(writes);
    await ds.destroy();
    ds = await open();
    const reloaded = await new BaileysAuthStore(ds, cipher).load(instanceId);
    expect(reloaded!.state.creds.nextPreKeyId).toBe(20);
    expect(Object.keys(await reloaded!.state.keys.get('session', Array.from({ length: 20 }, (_, i) => `peer${i}.0`)))).toHaveLength(20);
  });

  it('creds queued before a key write are committed before it (nextPreKeyId never behind the pre-keys)', async () => {
    const session = new BaileysAuthStore(ds, cipher).create(instanceId);
    const order: string[] = [];
    const credsWrite = session.saveCreds().then(() => order.push('creds'));
    const keysWrite = Promise.resolve(session.state.keys.set({ 'pre-key': { '1': Curve.generateKeyPair() } })).then(() => order.push('keys'));
    await Promise.all([credsWrite, keysWrite]);
    expect(order).toEqual(['creds', 'keys']);
  });

  it('delete() forgets creds and keys, and a late write of the old handle recreates nothing', async () => {
    const store = new BaileysAuthStore(ds, cipher);
    const session = store.create(instanceId);
    await session.saveCreds();
    await session.state.keys.set(sampleKeys());
    await store.delete(instanceId);
    expect(await store.load(instanceId)).toBeNull();
    expect(await keyRows()).toEqual([]);

    // Baileys' timers outlive end(): a tctoken flush or a creds.update after the logout.
    await session.state.keys.set({ tctoken: { __index: { token: Buffer.from('late') } } });
    await session.saveCreds();
    expect(await store.load(instanceId)).toBeNull();
    expect(await keyRows()).toEqual([]);
    expect(await session.state.keys.get('pre-key', ['1'])).toEqual({});
  });

  it('stores nothing in plaintext, and does not feed key blobs to the log redactor', async () => {
    const session = new BaileysAuthStore(ds, cipher).create(instanceId);
    const keys = sampleKeys();
    await session.saveCreds();
    await session.state.keys.set(keys);
    const [{ creds }] = (await ds.query(`SELECT "creds" FROM "whatsapp_sessions" WHERE "instance_id" = $1`, [instanceId])) as Array<{ creds: string }>;
    const stored = [creds, ...(await keyRows()).map((r) => r.value)];
    const shape = new RegExp(`^v1\\.${cipher.currentKeyId}\\.[A-Za-z0-9_-]{16}\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]+$`);
    const plain = [
      session.state.creds.advSecretKey,
      Buffer.from(session.state.creds.noiseKey.private).toString('base64'),
      Buffer.from(keys['pre-key']['1'].private).toString('base64'),
      '987654321012345', 'registrationId', 'Buffer',
    ];
    for (const value of stored) {
      expect(value).toMatch(shape);
      for (const p of plain) expect(value).not.toContain(p);
    }
    // Another key cannot read them (authenticated encryption, not an encoding).
    const other = randomBytes(32);
    const stranger = new SecretCipher({ id: cipher.currentKeyId, key: other });
    expect(() => stranger.decrypt(creds)).toThrow(/authentication failed/);

    const line = `{"msg":"x","value":${JSON.stringify(cipher.decrypt(stored[1], { redactFromLogs: false }))}}`;
    // Session values are not remembered by the redactor (thousands of them), unlike real secrets.
    expect(new SecretScrubber([], known).scrub(line)).toBe(line);
  });
});
