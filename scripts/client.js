#!/usr/bin/env node
// `npm run client:generate` writes the TypeScript client's types (clients/typescript/schema.d.ts)
// from the committed openapi.json with openapi-typescript; `npm run client:check` (`--check`) fails
// when the committed file differs. The runtime is openapi-fetch: createClient<paths>().
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'openapi.json');
const target = join(root, 'clients', 'typescript', 'schema.d.ts');
const check = process.argv.includes('--check');

const HEADER = `/**
 * Types of the server's HTTP API, generated from openapi.json by openapi-typescript.
 * Do not edit: run \`npm run client:generate\`. Use with openapi-fetch: createClient<paths>().
 */

`;

// defaultNonNullable off: a field with a `default` is one the server fills in when it is omitted,
// so a request body must be allowed to omit it (openapi-typescript would otherwise require it).
const generated = HEADER + astToString(await openapiTS(pathToFileURL(source), { defaultNonNullable: false }));

if (!check) {
  writeFileSync(target, generated);
  console.log('clients/typescript/schema.d.ts written');
  process.exit(0);
}

let committed = '';
try {
  committed = readFileSync(target, 'utf8');
} catch {
  console.error('clients/typescript/schema.d.ts is missing: run `npm run client:generate` and commit it');
  process.exit(1);
}
if (committed === generated) {
  console.log('clients/typescript/schema.d.ts is up to date');
  process.exit(0);
}
const a = committed.split('\n');
const b = generated.split('\n');
const first = a.findIndex((line, i) => line !== b[i]);
const at = first === -1 ? Math.min(a.length, b.length) : first;
console.error(`clients/typescript/schema.d.ts is out of date with openapi.json: first difference at line ${at + 1}`);
console.error(`  committed: ${a[at] ?? '<end of file>'}`);
console.error(`  generated: ${b[at] ?? '<end of file>'}`);
console.error('Run `npm run client:generate` and commit clients/typescript/schema.d.ts.');
process.exit(1);
