# syntax=docker/dockerfile:1
#
# One image for the four processes of the stack. The process is chosen by the
# container command (docker-compose.yml sets one per service):
#
#   node --import tsx services/sql-subgraph/src/index.ts
#   node --import tsx services/mongo-subgraph/src/index.ts
#   node --import tsx services/storage-subgraph/src/index.ts
#   node --import tsx gateway/src/index.ts            (the default)
#
# TypeScript runs through tsx, exactly as under `npm start`, so there is no
# separate compile step; tsx is therefore a dependency, and the image installs
# with --omit=dev (no test, lint, codegen or benchmark tools).
# The working directory is the repository root: relative paths in the config
# (SUPERGRAPH_PATH=gateway/supergraph.graphql) resolve as they do locally.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: install the locked dependencies, then add the sources -----------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# Manifests first, so the dependency layer is rebuilt only when they change.
# One line per workspace in package.json "workspaces" (test/deploy/ checks it).
COPY package.json package-lock.json ./
COPY packages/common/package.json packages/common/
COPY packages/embedded/package.json packages/embedded/
COPY packages/testing/package.json packages/testing/
COPY services/sql-subgraph/package.json services/sql-subgraph/
COPY services/mongo-subgraph/package.json services/mongo-subgraph/
COPY services/storage-subgraph/package.json services/storage-subgraph/
COPY gateway/package.json gateway/
COPY tools/launcher/package.json tools/launcher/
COPY tools/operations/package.json tools/operations/
# The stand-in that package.json "overrides" install for never-loaded dependencies.
COPY tools/never-loaded/never-loaded-1.0.0.tgz tools/never-loaded/

# The embedded MongoDB binary is only for `npm start` without MONGO_URL; never
# download it into the image.
RUN --mount=type=cache,target=/root/.npm \
    MONGOMS_DISABLE_POSTINSTALL=1 npm ci --omit=dev

COPY . .

# --- runtime: the same tree, no npm cache, not root ---------------------------
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV HOST=0.0.0.0

# Files stay owned by root (read-only for the app); only the data folder is writable.
COPY --from=build /app /app
RUN mkdir -p /app/.data && chown node:node /app/.data

# `node` (uid 1000) is the unprivileged user shipped with the official image.
USER node

# gateway, sql-subgraph, mongo-subgraph, storage-subgraph; then their /metrics listeners
# (METRICS_HOST=0.0.0.0 in the container; publish them to operators only, as docker-compose.yml does).
EXPOSE 4000 4001 4002 4003 9090 9091 9092 9093

# Exec form: node receives SIGTERM directly and runs its orderly shutdown.
CMD ["node", "--import", "tsx", "gateway/src/index.ts"]
