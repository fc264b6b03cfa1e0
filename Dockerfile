# syntax=docker/dockerfile:1
# The nightly one-shot job: node dist/entrypoint.js. Two stages: the TypeScript is compiled (and dev dependencies
# pruned) in a build stage; the runtime image carries Node, the production dependencies and the compiled program.
# API mode only: the FUSE mount mode is not offered on Fly.io (PRODUCTION_DEPLOYMENT.md says why), so the image has no
# gcsfuse, tigrisfs or sqlite3_rsync, and needs no root.

# Pinned: Node 24 LTS on Debian 12 (bookworm), slim. Bump deliberately, together with .ci/run's NODE_VERSION.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---- build: better-sqlite3 13 ships prebuilt Node-API binaries; the compilers are here only for a platform it has none for
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json entrypoint.ts ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev

# ---- runtime: no compilers, no curl, no package manager caches
FROM ${NODE_IMAGE}
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
# Large allocations (the plan's balancing columns, tens of MB each) always get their own mapping, returned to the
# system when freed: with glibc's sliding threshold they landed in the main heap and left 130 MB of holes (BENCHMARKS.md).
# One malloc arena: with the planning thread in an arena of its own, the 1 M peaks were 20-60 MB higher (BENCHMARKS.md).
ENV NODE_ENV=production DATA_DIR=/app/data GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.arena_max=1
USER node
# A 1 GiB heap cap: without it V8 lets garbage pile up to several GB before collecting. 8 MB semi-spaces: Node 24's
# larger young generation added about 120 MB to the peak RSS and saved no time (BENCHMARKS.md). The CLI starts itself
# with the same flags and tunables when started without them: keep src/cli/runtime-settings.ts in step.
ENTRYPOINT ["node", "--max-old-space-size=1024", "--max-semi-space-size=8", "dist/entrypoint.js"]
