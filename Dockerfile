# syntax=docker/dockerfile:1
# The nightly one-shot job: node dist/entrypoint.js. Multi-stage: TypeScript and better-sqlite3 are built in a
# build stage with the compilers; the runtime image carries prod dependencies, gcsfuse/fuse3 and sqlite3_rsync.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: compile better-sqlite3 (node-gyp) and the TypeScript, then drop dev dependencies
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

# ---- sqlite3_rsync, built from the official SQLite sources (used by the optional mount mode)
FROM debian:bookworm-slim AS sqlite3-rsync
ARG SQLITE_YEAR=2025
ARG SQLITE_VERSION=3500400
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl unzip gcc libc6-dev make tcl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
RUN curl -fsSLo sqlite.zip "https://www.sqlite.org/${SQLITE_YEAR}/sqlite-src-${SQLITE_VERSION}.zip" \
 && unzip -q sqlite.zip \
 && cd "sqlite-src-${SQLITE_VERSION}" \
 && ./configure --disable-tcl \
 && make sqlite3_rsync \
 && install -m 0755 sqlite3_rsync /usr/local/bin/sqlite3_rsync

# ---- runtime
FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg fuse3 \
 && curl -fsSL https://packages.cloud.google.com/apt/doc/apt-key.gpg -o /usr/share/keyrings/cloud.google.asc \
 && echo "deb [signed-by=/usr/share/keyrings/cloud.google.asc] https://packages.cloud.google.com/apt gcsfuse-bookworm main" \
      > /etc/apt/sources.list.d/gcsfuse.list \
 && apt-get update \
 && apt-get install -y --no-install-recommends gcsfuse \
 && apt-get purge -y gnupg \
 && rm -rf /var/lib/apt/lists/*
COPY --from=sqlite3-rsync /usr/local/bin/sqlite3_rsync /usr/local/bin/sqlite3_rsync
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
ENV NODE_ENV=production DATA_DIR=/app/data
# The API sync mode needs no privileges; a FUSE mount (SYNC_MODE=mount) needs root: override the user for it.
USER node
# A 1 GiB heap cap keeps the peak RSS of a 3-million-contact run at 1.2 GB (BENCHMARKS.md): without it V8 lets
# garbage pile up to several GB before collecting. The plan's balancing columns live outside the heap.
ENTRYPOINT ["node", "--max-old-space-size=1024", "dist/entrypoint.js"]
