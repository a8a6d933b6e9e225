#!/usr/bin/env node
// `npm run check:k8s [-- <kustomization dir>]`: renders the Kubernetes manifests with
// `kubectl kustomize` and checks them offline (no cluster, no network):
//   1. every object against the Kubernetes OpenAPI schema of its apiVersion/kind (kubernetes-models:
//      types, required fields, enums, formats), plus unknown fields (a typo such as `readinesProbe`
//      passes a plain JSON-schema check but is rejected by the API server's strict field validation);
//   2. the operational contract of SPEC §1/§7: liveness on /healthz, readiness on /readyz, probe
//      ports = containerPort = PORT = the Services' targetPort, replicas never migrate, a Job does;
//   3. no literal secret in any manifest (secret-like env vars must use valueFrom.secretKeyRef);
//   4. the hardening the image relies on (non-root, read-only root filesystem with /tmp emptyDir,
//      no privilege escalation, ALL capabilities dropped, resources, pinned image tag);
//   5. availability: every server Deployment (api and bridge alike: both share their work through
//      leases) runs at least 2 replicas, scaled by at most one HPA that targets it, and is covered
//      by exactly one PodDisruptionBudget of its own that still lets a node drain proceed.
// Exits 1 listing every problem, 0 with a short summary.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = resolve(process.argv[2] ?? join(root, 'deploy', 'kubernetes'));
const shown = relative(root, dir).startsWith('..') ? dir : relative(root, dir) || '.';
const require = createRequire(import.meta.url);
const modelsVersion = require('kubernetes-models/package.json').version;

/** Names of env vars / ConfigMap keys that hold secrets (SPEC §1). */
const SECRET_NAME = /TOKEN|KEY|SECRET|PASSWORD|PASSWD|CREDENTIAL|DATABASE_URL|REDIS_URL/i;
const DEFAULT_PORT = 3000; // SPEC §1
const DRAIN_SECONDS = 25; // SPEC §7
const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
/** Fewest replicas of a server Deployment: with one, a pod's loss stops its role until it is rescheduled. */
const MIN_REPLICAS = 2;

const problems = [];
const fail = (where, msg) => problems.push(`${where}: ${msg}`);
const nameOf = (o) => `${o?.kind ?? '?'}/${o?.metadata?.name ?? '?'}`;

// ---- render -------------------------------------------------------------------------------
const kubectl = (args) => execFileSync('kubectl', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
let rendered;
try {
  // The manifests use kustomize v5 syntax (`labels:`); kubectl embeds kustomize v5 since 1.27.
  const kustomize = JSON.parse(kubectl(['version', '--client', '-o', 'json'])).kustomizeVersion ?? '';
  if (!/^v([5-9]|\d{2,})\./.test(kustomize)) {
    console.error(`check:k8s: kubectl embeds kustomize ${kustomize || '(unknown)'}; kubectl >= 1.27 (kustomize v5) is needed`);
    process.exit(1);
  }
  rendered = kubectl(['kustomize', dir]);
} catch (err) {
  const why = err.code === 'ENOENT'
    ? 'kubectl is not installed (>= 1.27 needed; Debian bookworm\'s kubernetes-client 1.20 is too old)'
    : (err.stderr || err.message).trim();
  console.error(`check:k8s: cannot render ${shown}: ${why}`);
  process.exit(1);
}
const objects = [];
for (const doc of parseAllDocuments(rendered)) {
  if (doc.errors.length > 0) {
    console.error(`check:k8s: kustomize output is not valid YAML: ${doc.errors[0].message}`);
    process.exit(1);
  }
  const o = doc.toJS();
  if (o !== null) objects.push(o);
}
if (objects.length === 0) {
  console.error('check:k8s: the kustomization renders no object');
  process.exit(1);
}

// ---- 1. schemas ---------------------------------------------------------------------------
/** `apps/v1` + `Deployment` → `kubernetes-models/apps/v1/Deployment`; core `v1` → `kubernetes-models/v1/…`. */
const modelPath = (o) => `kubernetes-models/${o.apiVersion}/${o.kind}`;
const typeName = (o) => `I${o.kind}`;
const modelled = [];
for (const o of objects) {
  if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !/^[A-Za-z]+$/.test(o.kind)) {
    fail(nameOf(o), 'missing or malformed apiVersion/kind');
    continue;
  }
  let Model;
  try {
    Model = (await import(modelPath(o)))[o.kind];
  } catch {
    Model = undefined;
  }
  if (typeof Model !== 'function') {
    fail(nameOf(o), `no Kubernetes schema for ${o.apiVersion} ${o.kind} (unknown or removed API version)`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (err) {
    for (const e of err.errors ?? [{ instancePath: '', message: err.message }]) {
      fail(nameOf(o), `schema: ${e.instancePath || '/'} ${e.message}${e.params?.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : ''}`);
    }
  }
  modelled.push(o);
}
checkUnknownFields(modelled);

/**
 * Unknown fields, from the TypeScript types generated from the same OpenAPI document (the
 * compiled JSON-schema validators accept any extra property).
 */
function checkUnknownFields(objs) {
  if (objs.length === 0) return;
  const file = join(root, '__check_k8s_types__.ts');
  const source = objs.map((o, i) => `export type T${i} = import('${modelPath(o)}').${typeName(o)};`).join('\n');
  const options = {
    module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022,
    noEmit: true, skipLibCheck: true, types: [], strict: true,
  };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (f, ...rest) => (f === file ? ts.createSourceFile(f, source, ts.ScriptTarget.ES2022, true) : getSourceFile.call(host, f, ...rest));
  host.fileExists = (f) => f === file || fileExists.call(host, f);
  host.readFile = (f) => (f === file ? source : readFile.call(host, f));
  const program = ts.createProgram([file], options, host);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file);
  const aliases = sf.statements.filter(ts.isTypeAliasDeclaration);
  objs.forEach((o, i) => {
    const type = checker.getTypeAtLocation(aliases[i].name);
    if (type.flags & ts.TypeFlags.Any) {
      fail(nameOf(o), `cannot load the type ${typeName(o)} from ${modelPath(o)}`);
      return;
    }
    walk(o, type, '', nameOf(o));
  });

  function objectTypesOf(type) {
    const t = checker.getNonNullableType(type);
    const members = t.isUnion() ? t.types : [t];
    return members.filter((m) => m.flags & ts.TypeFlags.Object);
  }
  function walk(value, type, path, where) {
    if (value === null || typeof value !== 'object') return;
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    const [t, ...others] = objectTypesOf(type);
    if (!t || others.length > 0) return; // a scalar or an ambiguous union: the schema check covers it
    if (Array.isArray(value)) {
      const element = checker.getIndexTypeOfType(t, ts.IndexKind.Number);
      if (element) value.forEach((v, i) => walk(v, element, `${path}/${i}`, where));
      return;
    }
    const index = checker.getIndexTypeOfType(t, ts.IndexKind.String);
    for (const [key, v] of Object.entries(value)) {
      const prop = checker.getPropertyOfType(t, key);
      if (prop) {
        const decl = prop.valueDeclaration ?? prop.declarations?.[0];
        walk(v, decl ? checker.getTypeOfSymbolAtLocation(prop, decl) : checker.getAnyType(), `${path}/${key}`, where);
      } else if (index) {
        walk(v, index, `${path}/${key}`, where);
      } else {
        fail(where, `schema: ${path || '/'} has unknown field "${key}"`);
      }
    }
  }
}

// ---- helpers for the contract checks ------------------------------------------------------
const byKind = (kind) => objects.filter((o) => o.kind === kind);
const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata?.name, c.data ?? {}]));
const podSpecOf = (o) => o.spec?.template?.spec ?? (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : undefined);
const containersOf = (spec) => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

/** The value a container sees for an env var (env wins over envFrom), or undefined. */
function envValue(where, container, name) {
  const entry = (container.env ?? []).find((e) => e.name === name);
  if (entry) {
    if ('value' in entry) return String(entry.value);
    const ref = entry.valueFrom?.configMapKeyRef;
    if (ref) {
      const v = configMaps.get(ref.name)?.[ref.key];
      if (v === undefined && !ref.optional) fail(where, `env ${name} refers to ConfigMap ${ref.name} key ${ref.key}, which the kustomization does not define`);
      return v;
    }
    return undefined; // from a Secret or the downward API: not known here
  }
  let found;
  for (const src of container.envFrom ?? []) {
    const ref = src.configMapRef;
    if (!ref) continue;
    const data = configMaps.get(ref.name);
    if (!data) {
      if (!ref.optional) fail(where, `envFrom refers to ConfigMap ${ref.name}, which the kustomization does not define`);
      continue;
    }
    const key = `${src.prefix ?? ''}`;
    for (const [k, v] of Object.entries(data)) if (key + k === name) found = v; // the last source wins
  }
  return found;
}

/** The container port a probe or a named targetPort designates, as a number. */
function resolvePort(container, port) {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return (container.ports ?? []).find((p) => p.name === port)?.containerPort;
}

const labelsMatch = (selector, labels) =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

// ---- 3. no literal secret anywhere --------------------------------------------------------
for (const o of objects) {
  if (o.kind === 'Secret' && (Object.keys(o.data ?? {}).length > 0 || Object.keys(o.stringData ?? {}).length > 0)) {
    fail(nameOf(o), 'a Secret with values is part of the manifests; the operator creates ryze-secrets out of band');
  }
  if (o.kind === 'ConfigMap') {
    for (const key of Object.keys({ ...o.data, ...o.binaryData })) {
      if (SECRET_NAME.test(key)) fail(nameOf(o), `key ${key} looks like a secret: keep it in the Secret, not in a ConfigMap`);
    }
    for (const [key, v] of Object.entries(o.data ?? {})) {
      if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(String(v))) fail(nameOf(o), `key ${key} holds a URL with credentials`);
    }
  }
  for (const c of containersOf(podSpecOf(o))) {
    for (const e of c.env ?? []) {
      const where = `${nameOf(o)} container ${c.name} env ${e.name}`;
      if ('value' in e && SECRET_NAME.test(e.name)) fail(where, 'literal value for a secret: use valueFrom.secretKeyRef');
      else if (e.valueFrom?.configMapKeyRef && SECRET_NAME.test(e.name)) fail(where, 'secret taken from a ConfigMap: use valueFrom.secretKeyRef');
      else if ('value' in e && /:\/\/[^/\s:@]+:[^/\s@]+@/.test(String(e.value))) fail(where, 'URL with credentials: use valueFrom.secretKeyRef');
    }
  }
}

// ---- 2. + 4. workloads --------------------------------------------------------------------
const portOfPods = []; // { labels, ports: Map<name, number>, port } of each server Deployment
let migrationJobs = 0;
for (const o of objects.filter((x) => POD_KINDS.has(x.kind) || x.kind === 'CronJob')) {
  const spec = podSpecOf(o);
  if (!spec) continue;
  const podSec = spec.securityContext ?? {};
  const mounts = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
  for (const c of containersOf(spec)) {
    const where = `${nameOf(o)} container ${c.name}`;
    const sec = c.securityContext ?? {};
    if ((sec.runAsNonRoot ?? podSec.runAsNonRoot) !== true) fail(where, 'runAsNonRoot must be true');
    if ((sec.runAsUser ?? podSec.runAsUser) === 0) fail(where, 'runs as uid 0');
    if (sec.readOnlyRootFilesystem !== true) fail(where, 'readOnlyRootFilesystem must be true');
    if (sec.allowPrivilegeEscalation !== false) fail(where, 'allowPrivilegeEscalation must be false');
    if (!(sec.capabilities?.drop ?? []).includes('ALL')) fail(where, 'capabilities.drop must include ALL');
    if (sec.readOnlyRootFilesystem === true) {
      const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
      if (!tmp || !mounts.get(tmp.name)?.emptyDir) fail(where, 'a read-only root filesystem needs an emptyDir mounted at /tmp');
    }
    const r = c.resources ?? {};
    for (const k of ['cpu', 'memory']) if (r.requests?.[k] === undefined) fail(where, `resources.requests.${k} is not set`);
    if (r.limits?.memory === undefined) fail(where, 'resources.limits.memory is not set');
    const image = String(c.image ?? '');
    const tag = image.includes('@') ? 'digest' : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
    if (!tag || tag === 'latest') fail(where, `image "${image}" must be pinned to a version tag or digest (kustomization images:)`);
  }

  if (o.kind === 'Job' || o.kind === 'CronJob') {
    const main = spec.containers?.[0];
    if (main && [...(main.command ?? []), ...(main.args ?? [])].includes('migrate')) migrationJobs += 1;
    continue;
  }
  if (o.kind !== 'Deployment') continue;

  // A server Deployment: probes, ports, migrations, graceful shutdown.
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  for (const c of spec.containers ?? []) {
    const where = `${nameOf(o)} container ${c.name}`;
    const portRaw = envValue(where, c, 'PORT');
    const port = portRaw === undefined ? DEFAULT_PORT : Number(portRaw);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(where, `PORT "${portRaw}" is not a valid port`);
    if ((c.ports ?? []).length === 0) fail(where, `declares no containerPort (PORT is ${port})`);
    for (const p of c.ports ?? []) {
      if (p.containerPort !== port) fail(where, `containerPort ${p.containerPort}${p.name ? ` (${p.name})` : ''} differs from PORT ${port}`);
    }
    const expected = { livenessProbe: ['/healthz'], readinessProbe: ['/readyz'], startupProbe: ['/healthz', '/readyz'] };
    for (const [probeName, paths] of Object.entries(expected)) {
      const probe = c[probeName];
      if (!probe) {
        if (probeName !== 'startupProbe') fail(where, `${probeName} is missing (it must GET ${paths[0]})`);
        continue;
      }
      const get = probe.httpGet;
      if (!get) {
        fail(where, `${probeName} must be an httpGet on ${paths.join(' or ')}`);
        continue;
      }
      if (!paths.includes(get.path)) fail(where, `${probeName} path is "${get.path}", expected ${paths.join(' or ')}`);
      const probePort = resolvePort(c, get.port);
      if (probePort === undefined) fail(where, `${probeName} port "${get.port}" names no containerPort`);
      else if (probePort !== port) fail(where, `${probeName} port ${get.port} (${probePort}) differs from PORT ${port}`);
    }
    const migrate = envValue(where, c, 'MIGRATE_ON_START');
    if (!['false', '0', 'no'].includes(String(migrate).toLowerCase())) {
      fail(where, `MIGRATE_ON_START is ${migrate === undefined ? 'unset (default true)' : `"${migrate}"`}: replicas must not migrate, the migration Job does`);
    }
    if (envValue(where, c, 'ROLES') === undefined) fail(where, 'ROLES is not set: each Deployment runs one role (api or bridge)');
    const preStopSleep = Number(c.lifecycle?.preStop?.exec?.command?.find((a) => /^\d+$/.test(a)) ?? c.lifecycle?.preStop?.sleep?.seconds ?? 0);
    if (grace <= DRAIN_SECONDS + preStopSleep) {
      fail(where, `terminationGracePeriodSeconds ${grace} must exceed preStop ${preStopSleep} s + the ${DRAIN_SECONDS} s drain`);
    }
    portOfPods.push({ owner: nameOf(o), labels: o.spec?.template?.metadata?.labels ?? {}, container: c, port });
  }
}
if (migrationJobs === 0) fail('kustomization', 'no Job runs `migrate`: with MIGRATE_ON_START=false nothing would apply migrations');

// Services → the pods they select, target port = PORT.
for (const s of byKind('Service')) {
  const targets = portOfPods.filter((p) => labelsMatch(s.spec?.selector, p.labels));
  if (targets.length === 0) {
    fail(nameOf(s), `selector ${JSON.stringify(s.spec?.selector ?? {})} matches no Deployment's pods`);
    continue;
  }
  for (const sp of s.spec?.ports ?? []) {
    const target = sp.targetPort ?? sp.port;
    for (const t of targets) {
      const n = resolvePort(t.container, target);
      if (n === undefined) fail(nameOf(s), `targetPort "${target}" names no containerPort of ${t.owner}`);
      else if (n !== t.port) fail(nameOf(s), `targetPort ${target} (${n}) differs from PORT ${t.port} of ${t.owner}`);
    }
  }
}
// ---- 5. availability: replicas, HPAs and PDBs ---------------------------------------------
const deployments = byKind('Deployment');
const hpas = byKind('HorizontalPodAutoscaler');
const pdbs = byKind('PodDisruptionBudget');
const podLabelsOf = (d) => d.spec?.template?.metadata?.labels ?? {};
for (const d of deployments) {
  // The API server rejects a Deployment whose selector does not select its own pods; the schema does not.
  if (!labelsMatch(d.spec?.selector?.matchLabels, podLabelsOf(d))) fail(nameOf(d), 'spec.selector.matchLabels does not match the pod template\'s labels');
}
for (const h of hpas) {
  const ref = h.spec?.scaleTargetRef ?? {};
  if (!deployments.some((d) => ref.kind === 'Deployment' && d.metadata?.name === ref.name)) fail(nameOf(h), `scaleTargetRef ${ref.kind}/${ref.name} is not in the manifests`);
  const scaled = deployments.find((d) => d.metadata?.name === ref.name);
  if (scaled?.spec?.replicas !== undefined) fail(nameOf(h), `Deployment ${ref.name} sets replicas; the HPA owns it (every apply would reset the scale)`);
  const min = h.spec?.minReplicas ?? 1;
  if (h.spec?.maxReplicas !== undefined && h.spec.maxReplicas < min) fail(nameOf(h), `maxReplicas ${h.spec.maxReplicas} is below minReplicas ${min}`);
}
/** Whether a PDB still lets one pod of `replicas` be evicted (otherwise a node drain waits forever). */
function allowsDisruption(spec, replicas) {
  // Kubernetes rounds a percentage up, for either field.
  const count = (v) => (typeof v === 'string' && v.endsWith('%') ? Math.ceil((Number(v.slice(0, -1)) / 100) * replicas) : Number(v));
  if (spec?.maxUnavailable !== undefined) return count(spec.maxUnavailable) >= 1;
  if (spec?.minAvailable !== undefined) return count(spec.minAvailable) < replicas;
  return false;
}
const availability = []; // summary lines
for (const p of pdbs) {
  const covered = deployments.filter((d) => labelsMatch(p.spec?.selector?.matchLabels, podLabelsOf(d)));
  if (covered.length === 0) fail(nameOf(p), 'selector matches no Deployment');
  // One budget over two roles would let a drain take the last pod of one while counting the other's.
  if (covered.length > 1) fail(nameOf(p), `selector matches the pods of ${covered.map(nameOf).join(' and ')}: give each its own budget`);
}
for (const d of deployments.filter((x) => portOfPods.some((p) => p.owner === nameOf(x)))) {
  const targeting = hpas.filter((h) => h.spec?.scaleTargetRef?.kind === 'Deployment' && h.spec?.scaleTargetRef?.name === d.metadata?.name);
  if (targeting.length > 1) fail(nameOf(d), `${targeting.length} HPAs scale it (${targeting.map(nameOf).join(', ')}); they would fight over its replicas`);
  const hpa = targeting[0];
  const least = hpa ? (hpa.spec?.minReplicas ?? 1) : (d.spec?.replicas ?? 1);
  if (least < MIN_REPLICAS) {
    fail(nameOf(d), `runs as few as ${least} replica${least === 1 ? '' : 's'} (${hpa ? `${nameOf(hpa)} minReplicas` : 'spec.replicas'}); at least ${MIN_REPLICAS}, so that a pod's loss moves its work (leases) instead of stopping it`);
  }
  const budgets = pdbs.filter((p) => labelsMatch(p.spec?.selector?.matchLabels, podLabelsOf(d)));
  if (budgets.length === 0) fail(nameOf(d), 'no PodDisruptionBudget selects its pods: a node drain may evict all of them at once');
  if (budgets.length > 1) fail(nameOf(d), `${budgets.length} PodDisruptionBudgets select its pods (${budgets.map(nameOf).join(', ')}); eviction is refused for pods under more than one`);
  for (const b of budgets) {
    if (!allowsDisruption(b.spec, least)) fail(nameOf(b), `allows no eviction at ${least} replicas: a node drain would wait forever`);
  }
  availability.push(`${nameOf(d)}: ${hpa ? `${nameOf(hpa)} ${least}–${hpa.spec?.maxReplicas} replicas` : `${least} replicas`}, ${budgets.map((b) => `${nameOf(b)} ${b.spec?.maxUnavailable !== undefined ? `maxUnavailable ${b.spec.maxUnavailable}` : `minAvailable ${b.spec?.minAvailable}`}`).join(', ') || 'no PDB'}`);
}

// ---- report -------------------------------------------------------------------------------
if (problems.length > 0) {
  console.error(`check:k8s: ${problems.length} problem(s) in ${shown}:`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
const counts = {};
for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
console.log(`check:k8s: ${shown} renders ${objects.length} objects (${Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ')})`);
console.log(`  schemas: all valid, no unknown field (offline, kubernetes-models ${modelsVersion})`);
for (const p of portOfPods) {
  console.log(`  ${p.owner}: liveness /healthz, readiness /readyz, containerPort = PORT = ${p.port}, MIGRATE_ON_START=false`);
}
for (const line of availability) console.log(`  ${line}`);
console.log(`  Services target PORT; ${migrationJobs} migration Job; no literal secret; non-root, read-only root fs, pinned image`);
console.log('check:k8s: OK');
