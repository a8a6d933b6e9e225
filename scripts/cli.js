#!/usr/bin/env node
// `npm run cli -- <command>` runs the built CLI. In a checkout with dev dependencies it builds
// first, so that it never runs stale code; in a production image (dev dependencies pruned, dist/
// built by the Dockerfile) it runs dist/ as it is.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (existsSync(tsc)) {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}
const { main } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli.js')).href);
main(process.argv.slice(2));
