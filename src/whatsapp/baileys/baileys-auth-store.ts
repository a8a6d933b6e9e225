import {
  BufferJSON, initAuthCreds, proto,
  type AuthenticationCreds, type AuthenticationState, type SignalDataSet, type SignalDataTypeMap, type SignalKeyStore,
} from '@whiskeysockets/baileys';
import type { DataSource, EntityManager } from 'typeorm';
import type { SecretCipher } from '../../common/crypto/secret-cipher.js';

export type SignalCategory = keyof SignalDataTypeMap;

/** Every key category of Baileys 7.0.0-rc14's `SignalDataTypeMap`. */
export const SIGNAL_CATEGORIES: readonly SignalCategory[] = [
  'pre-key', 'session', 'sender-key', 'sender-key-memory', 'app-state-sync-key', 'app-state-sync-version',
  'lid-mapping', 'device-list', 'tctoken', 'identity-key',
];

/**
 * One instance's Baileys session as a socket uses it: `state` goes into the socket config, and
 * `saveCreds()` runs on every `creds.update`.
 */
export interface BaileysAuthSession {
  readonly instanceId: string;
  readonly state: AuthenticationState;
  /** True once the session is in the database (loaded, or its first `saveCreds()` committed). */
  readonly saved: boolean;
  /** Writes the whole `state.creds` (awaited, in order with every key write). */
  saveCreds(): Promise<void>;
}

/** What the adapter needs of a session store (the database one, or a fake in tests). */
export interface BaileysSessionStore {
  /** The saved session, or null when there is none. */
  load(instanceId: string): Promise<BaileysAuthSession | null>;
  /** A new, unpaired session; nothing is written until its first `saveCreds()`. */
  create(instanceId: string): BaileysAuthSession;
  /** Forgets the session (logout, a 401): later writes of its live handle are dropped. */
  delete(instanceId: string): Promise<void>;
}

/** Rows per INSERT: 4 parameters each, well under PostgreSQL's 65,535. */
const INSERT_BATCH = 1_000;
/** Decrypted keys kept per session, most recently used first (a chat's session, its identity, …). */
const CACHE_CAPACITY = 5_000;

/**
 * Baileys sessions in the database (SPEC-MESSAGING §8 "Sessions and ownership"): the creds in
 * `whatsapp_sessions`, every Signal key in `whatsapp_session_keys`, each value SecretCipher
 * ciphertext (SPEC §6) of its BufferJSON serialisation. Neither is registered with the log
 * redactor: thousands of blobs that no error message echoes.
 *
 * Why each write is what it is (see the Baileys research notes §5):
 * - Baileys commits a Signal transaction's mutations in ONE `keys.set()` (a session ratchet and the
 *   pre-key it consumed, say): each call is one database transaction, all or nothing.
 * - `creds` (`nextPreKeyId`, the identity) is written whole on every `creds.update`, and every
 *   write of a session goes through one queue: Baileys emits the `creds.update` that advances
 *   `nextPreKeyId` before it commits those pre-keys, so the creds are never older than the keys.
 * - A write resolves once its transaction committed; nothing is debounced.
 */
export class BaileysAuthStore implements BaileysSessionStore {
  /** The live handle of each instance, so that `delete` can stop its late writes. */
  private readonly live = new Map<string, DatabaseAuthSession>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: SecretCipher,
  ) {}

  async load(instanceId: string): Promise<BaileysAuthSession | null> {
    const rows: Array<{ creds: string }> = await this.dataSource.query(
      `SELECT "creds" FROM "whatsapp_sessions" WHERE "instance_id" = $1`, [instanceId],
    );
    if (rows.length === 0) return null;
    return this.track(new DatabaseAuthSession(this, instanceId, this.decode<AuthenticationCreds>(rows[0].creds), true));
  }

  create(instanceId: string): BaileysAuthSession {
    return this.track(new DatabaseAuthSession(this, instanceId, initAuthCreds(), false));
  }

  async delete(instanceId: string): Promise<void> {
    const session = this.live.get(instanceId);
    this.live.delete(instanceId);
    // After the handle's queued writes, so that none of them resurrects the session.
    const remove = () =>
      this.dataSource.transaction(async (m) => {
        await m.query(`DELETE FROM "whatsapp_session_keys" WHERE "instance_id" = $1`, [instanceId]);
        await m.query(`DELETE FROM "whatsapp_sessions" WHERE "instance_id" = $1`, [instanceId]);
      });
    await (session ? session.discard(remove) : remove());
  }

  /** @internal */
  async writeCreds(instanceId: string, creds: AuthenticationCreds): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "whatsapp_sessions" ("instance_id", "creds", "linked", "updated_at") VALUES ($1, $2, $3, now())
       ON CONFLICT ("instance_id") DO UPDATE SET "creds" = EXCLUDED."creds", "linked" = EXCLUDED."linked", "updated_at" = now()`,
      [instanceId, this.encode(creds), !!creds.account],
    );
  }

  /** @internal */
  async readKeys<T extends SignalCategory>(instanceId: string, category: T, ids: string[]): Promise<Map<string, SignalDataTypeMap[T]>> {
    const found = new Map<string, SignalDataTypeMap[T]>();
    if (ids.length === 0) return found;
    const rows: Array<{ key_id: string; value: string }> = await this.dataSource.query(
      `SELECT "key_id", "value" FROM "whatsapp_session_keys"
        WHERE "instance_id" = $1 AND "category" = $2 AND "key_id" = ANY($3::varchar[])`,
      [instanceId, category, ids],
    );
    for (const row of rows) {
      let value = this.decode<SignalDataTypeMap[T]>(row.value);
      if (category === 'app-state-sync-key') {
        // As Baileys' reference store does: its readers expect the protobuf class.
        value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
      }
      found.set(row.key_id, value);
    }
    return found;
  }

  /** @internal One transaction over every category of `data`; a null value deletes. */
  async writeKeys(instanceId: string, data: SignalDataSet): Promise<void> {
    const upserts: Array<[string, string, string]> = [];
    const deletes = new Map<string, string[]>();
    for (const category of Object.keys(data) as SignalCategory[]) {
      for (const [id, value] of Object.entries(data[category] ?? {})) {
        if (value == null) deletes.set(category, [...(deletes.get(category) ?? []), id]);
        else upserts.push([category, id, this.encode(value)]);
      }
    }
    if (upserts.length === 0 && deletes.size === 0) return;
    await this.dataSource.transaction(async (m) => {
      for (const [category, ids] of deletes) {
        await m.query(
          `DELETE FROM "whatsapp_session_keys" WHERE "instance_id" = $1 AND "category" = $2 AND "key_id" = ANY($3::varchar[])`,
          [instanceId, category, ids],
        );
      }
      for (let i = 0; i < upserts.length; i += INSERT_BATCH) await insertKeys(m, instanceId, upserts.slice(i, i + INSERT_BATCH));
    });
  }

  private track(session: DatabaseAuthSession): DatabaseAuthSession {
    this.live.set(session.instanceId, session);
    return session;
  }

  private encode(value: unknown): string {
    return this.cipher.encrypt(JSON.stringify(value, BufferJSON.replacer), { redactFromLogs: false });
  }

  private decode<T>(stored: string): T {
    return JSON.parse(this.cipher.decrypt(stored, { redactFromLogs: false }), BufferJSON.reviver) as T;
  }
}

async function insertKeys(m: EntityManager, instanceId: string, rows: Array<[string, string, string]>): Promise<void> {
  const params: string[] = [instanceId];
  const values = rows.map(([category, id, value]) => {
    params.push(category, id, value);
    const n = params.length;
    return `($1, $${n - 2}, $${n - 1}, $${n})`;
  });
  await m.query(
    `INSERT INTO "whatsapp_session_keys" ("instance_id", "category", "key_id", "value") VALUES ${values.join(', ')}
     ON CONFLICT ("instance_id", "category", "key_id") DO UPDATE SET "value" = EXCLUDED."value"`,
    params,
  );
}

/**
 * A session handle: its reads and writes run one at a time, in call order (as Baileys' own
 * cacheable store does), so the cache below always matches what was committed. The cache is
 * filled only after a commit: a failed `set` leaves neither the database nor the cache changed,
 * and Baileys' commit retry then writes the same mutations again.
 */
class DatabaseAuthSession implements BaileysAuthSession {
  readonly state: AuthenticationState;
  private queue: Promise<unknown> = Promise.resolve();
  private discarded = false;
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly store: BaileysAuthStore,
    readonly instanceId: string,
    creds: AuthenticationCreds,
    public saved: boolean,
  ) {
    const keys: SignalKeyStore = {
      get: (category, ids) => this.run(() => this.get(category, ids)),
      set: (data) => this.run(() => this.set(data)),
    };
    this.state = { creds, keys };
  }

  saveCreds(): Promise<void> {
    return this.run(async () => {
      if (this.discarded) return;
      await this.store.writeCreds(this.instanceId, this.state.creds);
      this.saved = true;
    });
  }

  /** Runs `remove` after every queued write; later writes are dropped. */
  discard(remove: () => Promise<void>): Promise<void> {
    return this.run(async () => {
      this.discarded = true;
      this.cache.clear();
      await remove();
    });
  }

  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async get<T extends SignalCategory>(category: T, ids: string[]): Promise<{ [id: string]: SignalDataTypeMap[T] }> {
    const out: { [id: string]: SignalDataTypeMap[T] } = {};
    const missing: string[] = [];
    for (const id of ids) {
      const key = `${category}\u0000${id}`;
      const hit = this.cache.get(key) as SignalDataTypeMap[T] | undefined;
      if (hit === undefined) {
        missing.push(id);
        continue;
      }
      this.cache.delete(key);
      this.cache.set(key, hit);
      out[id] = hit;
    }
    if (missing.length > 0 && !this.discarded) {
      for (const [id, value] of await this.store.readKeys(this.instanceId, category, missing)) {
        out[id] = value;
        this.remember(`${category}\u0000${id}`, value);
      }
    }
    return out;
  }

  private async set(data: SignalDataSet): Promise<void> {
    // A late write after a logout (Baileys' timers outlive `end()`) must not recreate the session.
    if (this.discarded) return;
    await this.store.writeKeys(this.instanceId, data);
    for (const category of Object.keys(data) as SignalCategory[]) {
      for (const [id, value] of Object.entries(data[category] ?? {})) {
        const key = `${category}\u0000${id}`;
        if (value == null) this.cache.delete(key);
        else this.remember(key, value);
      }
    }
  }

  private remember(key: string, value: unknown): void {
    this.cache.delete(key);
    this.cache.set(key, value);
    if (this.cache.size > CACHE_CAPACITY) this.cache.delete(this.cache.keys().next().value as string);
  }
}
