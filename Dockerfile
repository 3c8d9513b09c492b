# syntax=docker/dockerfile:1
# Similarity search server. Build: docker build -t similarity-search .
# The SigLIP model is read from MODEL_DIR (/app/models/siglip-tiny): either fetch it into
# ./models before building (it is copied in) or mount it (docker-compose.yml does).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's postinstall would otherwise try to download CUDA binaries.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# models/ may be absent in a fresh clone (empty dirs aren't tracked); keep the COPY below valid.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && mkdir -p models

FROM node:20-bookworm-slim
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
USER node
EXPOSE 4000
CMD ["node", "dist/src/main.js"]
