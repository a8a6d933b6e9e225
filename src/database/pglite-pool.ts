import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';

/**
 * A `pg`-compatible pool over one embedded PGlite database, TypeORM's postgres `driver`. PGlite is a
 * single session: a checkout holds it until released, so that concurrent transactions are
 * serialised rather than interleaved inside one BEGIN…COMMIT (as `typeorm-pglite` does).
 */
export class PGlitePool extends EventEmitter {
  private readonly db: PGlite;
  private readonly client: PGliteClient;
  private queue: Promise<void> = Promise.resolve();

  constructor(options: { dataDir?: string; seed?: Blob | null }) {
    super();
    // PGlite creates only the last level; DATA_DIR itself may not exist yet (a first start with
    // ENCRYPTION_KEY set, so that no generated key file has created it).
    const onDisk = !!options.dataDir && !options.dataDir.includes('://');
    if (onDisk) mkdirSync(options.dataDir!, { recursive: true });
    // PGlite refuses a seed for a directory that holds a database already.
    const seed = options.seed && !(onDisk && existsSync(join(options.dataDir!, 'PG_VERSION'))) ? options.seed : null;
    this.db = new PGlite({
      dataDir: options.dataDir ?? 'memory://',
      ...(seed ? { loadDataDir: seed } : {}),
      // Match node-postgres: booleans go out as TRUE/FALSE literals.
      serializers: { [types.BOOL]: (v: unknown) => (v === true || v === 'true' || v === 1 ? 'TRUE' : 'FALSE') },
    });
    this.client = new PGliteClient(this.db);
  }

  connect(callback: (err: Error | null, client: PGliteClient | null, release: (err?: unknown) => void) => void): void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => held);
    previous
      .then(() => this.db.waitReady)
      .then(
        () => {
          let released = false;
          callback(null, this.client, () => {
            if (!released) {
              released = true;
              release();
            }
          });
        },
        (err: Error) => {
          release();
          callback(err, null, () => undefined);
        },
      );
  }

  query(sql: string, params?: unknown[]): Promise<unknown> {
    return this.inTurn((client) => client.query(sql, params));
  }

  /**
   * LISTEN on a channel. LISTEN and UNLISTEN take their turn with the checkouts, so never run inside
   * someone's transaction. A notification is delivered as the transaction that sent it commits.
   */
  async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.inTurn(() => this.db.listen(channel, onPayload));
    return () => this.inTurn(() => unlisten());
  }

  /** Runs `fn` with the session checked out, released whatever the outcome. */
  private inTurn<T>(fn: (client: PGliteClient) => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) =>
      this.connect((err, client, release) => {
        if (err || !client) return reject(err);
        fn(client).then(
          (value) => (release(), resolve(value)),
          (e: unknown) => (release(), reject(e)),
        );
      }),
    );
  }

  end(callback?: (err: Error | null) => void): Promise<void> {
    const done = this.queue.then(() => this.db.close());
    if (callback) done.then(() => callback(null), (e: Error) => callback(e));
    return done;
  }
}

/** The checked-out "connection": the PGlite session, with pg's callback signature. */
class PGliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(sql: string, params?: unknown[] | ((err: Error | null, r?: unknown) => void), cb?: (err: Error | null, r?: unknown) => void): Promise<unknown> {
    if (typeof params === 'function') {
      cb = params;
      params = undefined;
    }
    const run =
      params && params.length > 0
        ? this.db.query(sql, params)
        : // Multi-statement strings (migrations) go through exec; the last result is pg's answer.
          this.db.exec(sql).then((results) => results[results.length - 1] ?? { rows: [], rowCount: 0 });
    const normalised = run.then((r) => {
      const result = r as { rows: unknown[]; affectedRows?: number; rowCount?: number; command?: string };
      return { ...result, rowCount: result.affectedRows || result.rowCount || result.rows.length };
    });
    if (cb) normalised.then((r) => cb!(null, r), (e: Error) => cb!(e));
    return normalised;
  }
}

/** The object TypeORM expects as its `driver` option. */
export function pgliteDriver(dataDir: string | undefined, seed: Blob | null = null): { Pool: new (opts: object) => PGlitePool } {
  return {
    Pool: class extends PGlitePool {
      constructor() {
        super({ dataDir, seed });
      }
    },
  };
}
