#!/usr/bin/env node
// `npm run cli -- <command>` runs the built CLI. In a source checkout (TypeScript and the sources
// present) it builds first, so that it never runs stale code; in a production image (sources
// absent, dev dependencies pruned, dist/ built by the Dockerfile) it runs dist/ as it is.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const sources = join(root, 'src', 'cli.ts');
const buildConfig = join(root, 'tsconfig.build.json');
if (existsSync(tsc) && existsSync(sources) && existsSync(buildConfig)) {
  execFileSync(process.execPath, [tsc, '-p', buildConfig], { stdio: 'inherit' });
}
const { main } = await import(pathToFileURL(join(root, 'dist', 'src', 'cli.js')).href);
main(process.argv.slice(2));
