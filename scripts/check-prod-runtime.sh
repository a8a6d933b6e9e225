#!/usr/bin/env bash
# `npm run check:runtime`: rehearses the runtime stage of the Dockerfile without Docker.
#
#   1. compiles src/ into a fresh directory (as the build stage does) and copies next to it only
#      what the image holds: scripts/cli.js, package.json, package-lock.json;
#   2. installs production dependencies there as the Dockerfile does
#      (`npm ci --omit=dev --omit=optional --ignore-scripts`, with the image's npm);
#   3. on a fresh PostgreSQL database (created from TEST_DATABASE_URL, dropped afterwards) runs
#      `npm run cli -- migrate` twice: migrations apply with no dev dependency, then are a no-op;
#   4. starts `node dist/src/main.js` as a Kubernetes replica would (ROLES=api,
#      MIGRATE_ON_START=false, generated ENCRYPTION_KEY, a clean environment), waits for
#      GET /readyz = 200 and GET /healthz = 200, sends SIGTERM and expects exit code 0.
# Exits non-zero with the server log on failure. Bounded in time; cleans up after itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADMIN_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
IMAGE_NPM_VERSION="${IMAGE_NPM_VERSION:-11.19.1}"
READY_TIMEOUT_S=30
STOP_TIMEOUT_S=35 # > the server's 25 s drain
WORK="$(mktemp -d "${TMPDIR:-/tmp}/ryze-runtime-check.XXXXXX")"
APP="$WORK/app"
LOG="$WORK/server.log"
DB_NAME="ryze_runtime_check_$$_$(date +%s)"
SERVER_PID=""
DB_CREATED=0

say() { printf 'check:runtime: %s\n' "$*"; }
die() {
  say "FAILED: $*" >&2
  if [[ -s "$LOG" ]]; then
    printf -- '---- server log (%s) ----\n' "$LOG" >&2
    tail -n 200 "$LOG" >&2
    printf -- '---- end of server log ----\n' >&2
  fi
  exit 1
}

# Runs a statement against the admin database with the `pg` package of the production install.
admin_sql() {
  (cd "$APP" && ADMIN_URL="$ADMIN_URL" SQL="$1" timeout 30 node --input-type=module -e '
    import pg from "pg";
    const client = new pg.Client({ connectionString: process.env.ADMIN_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query(process.env.SQL);
    } catch (err) {
      console.error(err.message);
      process.exitCode = 1;
    } finally {
      await client.end().catch(() => {});
    }
  ')
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  if [[ "$DB_CREATED" == 1 ]]; then
    admin_sql "DROP DATABASE IF EXISTS \"$DB_NAME\" WITH (FORCE)" >/dev/null 2>&1 \
      || say "warning: could not drop database $DB_NAME" >&2
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build, as the Dockerfile's build stage does (into the fresh dir, not the shared dist/)
say "compiling src/ into $APP/dist"
mkdir -p "$APP/scripts"
(cd "$ROOT" && timeout 300 node node_modules/typescript/bin/tsc -p tsconfig.build.json --outDir "$APP/dist") \
  || die "the TypeScript build failed"
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$APP/"
cp "$ROOT/scripts/cli.js" "$APP/scripts/"
[[ -f "$APP/dist/src/main.js" && -f "$APP/dist/src/cli.js" ]] || die "the build emitted no dist/src/main.js or dist/src/cli.js"

# ---- 2. production dependencies only, with the npm of the image (node:24.22.3 bundles npm
# 11.19.1; bump both together). This machine's npm may differ: npm 11 rejects a lockfile that lacks
# optional platform packages which this environment's registry does not serve.
say "npm@$IMAGE_NPM_VERSION ci --omit=dev --omit=optional --ignore-scripts (as the Dockerfile)"
(cd "$APP" && timeout 300 npx --yes "npm@$IMAGE_NPM_VERSION" ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
  --prefer-offline --loglevel=error) >"$WORK/npm-ci.log" 2>&1 \
  || { cat "$WORK/npm-ci.log" >&2; die "npm ci --omit=dev failed"; }
[[ ! -e "$APP/node_modules/typescript" ]] || die "typescript is installed: the CLI would rebuild instead of running dist/"

# ---- 3. fresh database, migrations through the CLI
DATABASE_URL="$(ADMIN_URL="$ADMIN_URL" DB_NAME="$DB_NAME" node -e '
  const u = new URL(process.env.ADMIN_URL); u.pathname = "/" + process.env.DB_NAME; console.log(u.href)')"
ENCRYPTION_KEY="$(node -e 'console.log(require("node:crypto").randomBytes(32).toString("base64"))')"
PORT="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"

say "creating database $DB_NAME"
admin_sql "CREATE DATABASE \"$DB_NAME\"" || die "cannot create a database through $(node -e 'const u=new URL(process.argv[1]); u.password=u.password&&"***"; console.log(u.href)' "$ADMIN_URL") (set TEST_DATABASE_URL)"
DB_CREATED=1

# Like a container: nothing from this shell's environment but PATH, and a throwaway HOME.
mkdir -p "$WORK/home"
run_env=(env -i "PATH=$PATH" "HOME=$WORK/home" "NODE_ENV=production" "NPM_CONFIG_UPDATE_NOTIFIER=false"
  "DATABASE_URL=$DATABASE_URL" "ENCRYPTION_KEY=$ENCRYPTION_KEY" "DATA_DIR=$WORK/data")

for pass in 1 2; do
  say "npm run cli -- migrate (pass $pass)"
  out="$(cd "$APP" && timeout 120 "${run_env[@]}" npm run --silent cli -- migrate 2>&1)" \
    || { printf '%s\n' "$out" >&2; die "npm run cli -- migrate failed"; }
  printf '%s\n' "$out" | sed 's/^/    /'
  if [[ $pass == 1 ]] && ! grep -q '^applied ' <<<"$out"; then die "the first migrate applied nothing on an empty database"; fi
  if [[ $pass == 2 ]] && ! grep -q 'no pending migrations' <<<"$out"; then die "the second migrate was not a no-op"; fi
done

# ---- 4. the server as a replica: no migration at boot, readiness, graceful SIGTERM
say "starting node dist/src/main.js on port $PORT (ROLES=api, MIGRATE_ON_START=false)"
(cd "$APP" && exec "${run_env[@]}" PORT="$PORT" ROLES=api MIGRATE_ON_START=false LOG_LEVEL=info \
  node dist/src/main.js) >"$LOG" 2>&1 &
SERVER_PID=$!

PORT="$PORT" SERVER_PID="$SERVER_PID" READY_TIMEOUT_S="$READY_TIMEOUT_S" timeout $((READY_TIMEOUT_S + 5)) node -e '
  const base = `http://127.0.0.1:${process.env.PORT}`;
  const deadline = Date.now() + Number(process.env.READY_TIMEOUT_S) * 1000;
  const alive = () => { try { process.kill(Number(process.env.SERVER_PID), 0); return true; } catch { return false; } };
  const get = (path) => fetch(base + path, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0);
  (async () => {
    let last = 0;
    while (Date.now() < deadline) {
      if (!alive()) { console.error("the server exited before it was ready"); process.exit(1); }
      last = await get("/readyz");
      if (last === 200) {
        const live = await get("/healthz");
        if (live !== 200) { console.error(`GET /healthz answered ${live}`); process.exit(1); }
        process.exit(0);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    console.error(`GET /readyz did not answer 200 within ${process.env.READY_TIMEOUT_S} s (last status: ${last || "no answer"})`);
    process.exit(1);
  })();
' || die "the server did not become ready"
say "GET /readyz 200, GET /healthz 200"

say "SIGTERM"
kill -TERM "$SERVER_PID"
for ((i = 0; i < STOP_TIMEOUT_S * 10; i++)); do
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$SERVER_PID" 2>/dev/null; then die "the server was still running ${STOP_TIMEOUT_S} s after SIGTERM"; fi
set +e
wait "$SERVER_PID"
code=$?
set -e
SERVER_PID=""
[[ $code == 0 ]] || die "the server exited with code $code after SIGTERM (expected 0)"
say "exit code 0 after SIGTERM"
say "OK: the production install (no dev dependencies) migrates, serves /readyz and stops cleanly"
