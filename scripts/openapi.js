#!/usr/bin/env node
// `npm run openapi` writes openapi.json from the code; `npm run openapi:check` (`--check`) fails when
// the committed file differs. The document is built from the compiled sources (dist/, rebuilt
// first, like scripts/cli.js) by composing the application without starting it: no database, no
// network, no environment needed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'openapi.json');
const check = process.argv.includes('--check');

execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
const { renderOpenApiDocument } = await import(pathToFileURL(join(root, 'dist', 'src', 'openapi', 'openapi.js')).href);
const generated = await renderOpenApiDocument();

if (!check) {
  writeFileSync(target, generated);
  console.log(`openapi.json written (${Object.keys(JSON.parse(generated).paths).length} paths)`);
  process.exit(0);
}

let committed = '';
try {
  committed = readFileSync(target, 'utf8');
} catch {
  console.error('openapi.json is missing: run `npm run openapi` and commit it');
  process.exit(1);
}
if (committed === generated) {
  console.log('openapi.json is up to date');
  process.exit(0);
}
const a = committed.split('\n');
const b = generated.split('\n');
const first = a.findIndex((line, i) => line !== b[i]);
const at = first === -1 ? Math.min(a.length, b.length) : first;
console.error(`openapi.json is out of date: first difference at line ${at + 1}`);
console.error(`  committed: ${a[at] ?? '<end of file>'}`);
console.error(`  generated: ${b[at] ?? '<end of file>'}`);
console.error('Run `npm run openapi` and commit openapi.json (then `npm run client:generate`).');
process.exit(1);
