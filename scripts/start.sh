#!/usr/bin/env bash
# Quick start (`npm start`): installs dependencies, starts a local Elasticsearch, generates and loads the sample
# catalog, then serves GraphQL with an explorer on http://127.0.0.1:${PORT:-4000}/graphql.
# Set ES_URL to use an existing cluster instead of the local one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export ONNXRUNTIME_NODE_INSTALL=skip
SAMPLE_DIR="${SAMPLE_CATALOG_DIR:-.data/sample-catalog}"
SAMPLE_SEED="${SAMPLE_SEED:-7}"
SAMPLE_SIZE="${SAMPLE_SIZE:-300}"

if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
fi

if [ -z "${ES_URL:-}" ]; then
  bash scripts/es.sh start
  ES_URL="$(bash scripts/es.sh url)"
fi
export ES_URL

echo "[start] building" >&2
npm run --silent build

if [ ! -s "$SAMPLE_DIR/products.jsonl" ]; then
  echo "[start] generating the sample catalog ($SAMPLE_SIZE products, seed $SAMPLE_SEED) into $SAMPLE_DIR" >&2
  npm run --silent synth -- --seed "$SAMPLE_SEED" --n "$SAMPLE_SIZE" --out "$SAMPLE_DIR"
fi

echo "[start] loading the sample catalog into Elasticsearch" >&2
node dist/scripts/load-catalog.js "$SAMPLE_DIR" --image-base-url /samples/

export SAMPLE_CATALOG_DIR="$SAMPLE_DIR"
exec node dist/src/main.js
