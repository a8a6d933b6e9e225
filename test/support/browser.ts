import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * The browser of the browser tests: Debian's `chromium` (`.ci/run` installs it with apt), driven by
 * playwright-core, which downloads nothing. CHROMIUM_PATH points elsewhere.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether the browser tests run. Without a browser they are skipped, loudly, on a developer's
 * machine; with REQUIRE_BROWSER=1 (CI) a missing browser fails the run instead.
 */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  const install = 'apt-get install chromium, or set CHROMIUM_PATH';
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 but there is no browser at ${CHROMIUM_PATH} (${install})`);
  const line = `SKIPPED: no browser at ${CHROMIUM_PATH}, so the manager page's browser tests do not run (${install})`;
  const bar = '!'.repeat(line.length + 4);
  process.stderr.write(`\n${bar}\n! ${line} !\n${bar}\n`);
  return false;
}

/**
 * Builds the manager page from its sources into a fresh directory, as `npm run build` does into
 * dist/manager: the test serves what the sources make now, not a build left from before.
 */
export async function buildManagerPage(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'ryze-manager-'));
  await promisify(execFile)(
    process.execPath,
    [join('node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join('manager', 'vite.config.ts'), '--outDir', outDir, '--emptyOutDir'],
    { cwd: process.cwd(), timeout: 120_000 },
  );
  return outDir;
}
