import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './server-process.js';

const run = promisify(execFile);

/** The PostgreSQL server binaries: PG_BIN, else the newest /usr/lib/postgresql/<v>/bin, else PATH. */
function findBinDir(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(root, v, 'bin')));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'initdb/pg_ctl not found: the fault tests start a private PostgreSQL server and need its binaries ' +
        '(apt-get install postgresql, or set PG_BIN to the directory holding initdb and pg_ctl)',
    );
  }
  return found;
}

/** Clusters still running when this process exits (a crashed or interrupted run) are stopped. */
const live = new Set<PrivatePostgres>();
process.once('exit', () => {
  for (const p of live) p.stopNowSync();
});

/**
 * A PostgreSQL server of the test's own: its own data folder under /tmp and its own loopback port,
 * never the shared server on 5432, so that the test may stop and start it. initdb refuses root,
 * so as root the binaries run as the `postgres` OS user (which then owns the folder).
 */
export class PrivatePostgres {
  readonly url: string;
  private readonly dataDir: string;
  private readonly logFile: string;

  private constructor(
    private readonly bin: string,
    private readonly root: string,
    readonly port: number,
    private readonly asUser: string | null,
    private readonly maxConnections: number,
  ) {
    this.dataDir = join(root, 'data');
    this.logFile = join(root, 'postgres.log');
    this.url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }

  /**
   * initdb, then start; resolves once it accepts connections. Each server process opens up to 12
   * connections (a pool of 10 and two notification listeners): the default 60 suits a few of them,
   * a larger fleet passes `maxConnections`.
   */
  static async create(opts: { maxConnections?: number } = {}): Promise<PrivatePostgres> {
    const bin = findBinDir();
    const isRoot = process.getuid?.() === 0;
    const root = mkdtempSync(join(tmpdir(), 'ryze-faults-pg-'));
    let asUser: string | null = null;
    if (isRoot) {
      const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (ids.status !== 0) throw new Error('running as root, but there is no `postgres` OS user to run initdb as');
      chownSync(root, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
      asUser = 'postgres';
    }
    const pgsql = new PrivatePostgres(bin, root, await freePort(), asUser, opts.maxConnections ?? 60);
    live.add(pgsql);
    try {
      await pgsql.exec('initdb', ['-D', pgsql.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
      await pgsql.start();
    } catch (err) {
      await pgsql.destroy();
      throw err;
    }
    return pgsql;
  }

  /** Starts the server (again); resolves once it accepts connections. */
  async start(): Promise<void> {
    // The socket lives in the private folder: /var/run/postgresql belongs to the shared server.
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=${this.maxConnections} -c shared_buffers=16MB`;
    await this.exec('pg_ctl', ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', this.logFile, '-o', options]);
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        await this.query('SELECT 1');
        return;
      } catch (err) {
        if (Date.now() > until) throw new Error(`private PostgreSQL did not accept connections: ${(err as Error).message}\n${this.log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** `pg_ctl stop -m fast`: every session is terminated, the port closes. */
  async stop(): Promise<void> {
    await this.exec('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', this.dataDir]);
  }

  /** Stops it (if running) and removes its folder. */
  async destroy(): Promise<void> {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      await this.exec('pg_ctl', ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', this.dataDir]).catch(() => undefined);
    }
    live.delete(this);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** For the process exit hook only. */
  stopNowSync(): void {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    const [cmd, args] = this.command('pg_ctl', ['stop', '-m', 'immediate', '-D', this.dataDir]);
    spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
    rmSync(this.root, { recursive: true, force: true });
  }

  /** One statement on a fresh connection (so a stopped server fails fast, nothing is pooled). */
  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined); // a server stopped under an open client
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  }

  private command(tool: string, args: string[]): [string, string[]] {
    const path = join(this.bin, tool);
    return this.asUser ? ['runuser', ['-u', this.asUser, '--', path, ...args]] : [path, args];
  }

  private async exec(tool: string, args: string[]): Promise<void> {
    const [cmd, argv] = this.command(tool, args);
    try {
      await run(cmd, argv, { cwd: this.root, timeout: 90_000, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } });
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      throw new Error(`${tool} ${args[0]} failed (as ${this.asUser ?? userInfo().username}): ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${this.log()}`);
    }
  }
}
