import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(process.cwd());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The production build of the current sources, once per content hash, in a temporary directory (not
 * dist/, which other work may use). Type errors are `npm test`'s job, so the emit skips checking.
 */
export async function buildServer(): Promise<string> {
  const files = [...sourceFiles(join(ROOT, 'src')), join(ROOT, 'ormconfig.ts'), join(ROOT, 'tsconfig.json'), join(ROOT, 'tsconfig.build.json')];
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(file).update(readFileSync(file));
  const dir = join(tmpdir(), `ryze-server-build-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(dir, 'src', 'main.js'))) return dir;
  pruneOldBuilds();
  const staging = `${dir}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', staging, '--noCheck'], {
      cwd: ROOT,
      timeout: 180_000,
    });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // ESM like the project, and the project's dependencies.
  writeFileSync(join(staging, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(staging, 'node_modules'), 'dir');
  try {
    renameSync(staging, dir);
  } catch {
    // Another test process built the same sources first.
    rmSync(staging, { recursive: true, force: true });
  }
  if (!statSync(join(dir, 'src', 'main.js')).isFile()) throw new Error(`build failed: ${dir}`);
  return dir;
}

/** Builds of sources older than a day (small, but one per source change) are removed. */
function pruneOldBuilds(): void {
  const dayAgo = Date.now() - 86_400_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('ryze-server-build-')) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < dayAgo) rmSync(path, { recursive: true, force: true });
    } catch {
      // removed meanwhile
    }
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Whether a new TCP connection to the port is accepted or refused. */
export function connectOutcome(port: number): Promise<'accepted' | 'refused' | 'error'> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('error');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'error'));
  });
}

export interface ServerProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** stdout lines (the JSON log). */
  stdout: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (cleanup). */
  kill(): Promise<void>;
}

/**
 * `node src/main.js` of a build, as production runs it, with exactly the given environment (plus
 * PATH), on a free port and its own DATA_DIR; resolves once /healthz answers.
 */
export async function startServer(buildDir: string, env: Record<string, string>, bootTimeoutMs = 60_000, fixedPort?: number): Promise<ServerProcess> {
  // A fixed port: a restarted process keeps the URL its peers were given.
  const port = fixedPort ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'ryze-server-data-'));
  const child = spawn(process.execPath, [join(buildDir, 'src', 'main.js')], {
    cwd: dataDir,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts.filter((p) => p !== ''));
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  let exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = { code, signal };
      resolve(exitedWith);
    });
  });
  exited.then(() => rmSync(dataDir, { recursive: true, force: true }), () => undefined);
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    stdout,
    stderr,
    exited,
    kill: async () => {
      if (exitedWith) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  const until = Date.now() + bootTimeoutMs;
  for (;;) {
    if (exitedWith) throw new Error(`server exited during boot (${JSON.stringify(exitedWith)}): ${[...stdout, ...stderr].join('\n')}`);
    try {
      const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await server.kill();
      throw new Error(`server did not boot within ${bootTimeoutMs} ms: ${[...stdout, ...stderr].join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves with the exit, or rejects after `ms`. */
export function exitWithin(server: ServerProcess, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return Promise.race([
    server.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`server still running after ${ms} ms`)), ms).unref()),
  ]);
}
