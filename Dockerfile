# syntax=docker/dockerfile:1
# Similarity search server. Build: docker build -t similarity-search-server .
# Never built here (no Docker engine where it was written): test/unit/container-config.test.ts checks it and
# docker-compose.yml statically, and the README's Docker section says what was and was not tried.
#
# Node 22: Node 20 is out of support since April 2026. The test suite passes on both.

FROM node:22-bookworm-slim AS build
WORKDIR /app
# This image's npm 10 runs dependency install scripts (package.json's allowScripts only binds npm 11), and
# onnxruntime-node's would download CUDA binaries from a host outside the npm registry.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# The model (models/siglip-tiny) is part of the repository and comes in with the sources. onnxruntime-node ships
# its native library for every OS and CPU (about 290 MB); keep this platform's (about 45 MB).
RUN npm run build && rm -f dist/.tsbuildinfo && npm prune --omit=dev --no-audit --no-fund && \
    find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d \
      ! -path "*/$(node -p 'process.platform + "/" + process.arch')" -exec rm -rf {} +

FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    ES_URL=http://elasticsearch:9200 \
    MODEL_DIR=/app/models/siglip-tiny
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/models ./models
# docker-compose.yml's sample-catalog service writes the quick-start catalog here. A named volume mounted on this
# folder takes its owner, so the unprivileged user can write it.
RUN mkdir -p /data/sample-catalog && chown node:node /data/sample-catalog
USER node
EXPOSE 4000
# Readiness: 503 until Elasticsearch answers. The slim image has no curl, so node asks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `docker stop` sends SIGTERM: the server drains in-flight requests for up to SHUTDOWN_TIMEOUT_MS (25 s), so stop
# with -t 30 or more (docker-compose.yml sets stop_grace_period).
STOPSIGNAL SIGTERM
# Exec form, so node is PID 1 and gets the signal itself.
CMD ["node", "dist/src/main.js"]
