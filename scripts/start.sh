#!/usr/bin/env bash
# Quick start (`npm start`): installs dependencies, starts a local Elasticsearch, generates and loads the sample
# catalog, then serves GraphQL with an explorer on http://127.0.0.1:${PORT:-4000}/graphql.
# Set ES_URL to use an existing cluster instead of the local one.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --- signals: TERM and Ctrl-C stop everything this script started ----------------------------------------
# `npm start` forwards TERM and INT to this script (package.json execs it, so no sh sits in between). Each step
# runs in the background while the script waits for it, so a signal is handled at once: the trap stops the
# running step and everything it started, then the script dies by the same signal. The last step execs the
# server, which from then on receives the signals itself and shuts down gracefully.
STEP_PID=""
stop_tree() {
  local pid="$1" child
  for child in $(pgrep -P "$pid" 2>/dev/null); do stop_tree "$child"; done
  kill -TERM "$pid" 2>/dev/null || true
}
on_signal() {
  trap '' INT TERM # one stop is enough: a terminal's Ctrl-C arrives twice (from the terminal and from npm)
  if [ -n "$STEP_PID" ]; then
    stop_tree "$STEP_PID"
    wait "$STEP_PID" 2>/dev/null || true
  fi
  trap - "$1"
  kill -s "$1" "$$"
}
trap 'on_signal INT' INT
trap 'on_signal TERM' TERM
step() {
  "$@" &
  STEP_PID=$!
  wait "$STEP_PID"
  STEP_PID=""
}

export ONNXRUNTIME_NODE_INSTALL=skip
SAMPLE_DIR="${SAMPLE_CATALOG_DIR:-.data/sample-catalog}"
SAMPLE_SEED="${SAMPLE_SEED:-7}"
SAMPLE_SIZE="${SAMPLE_SIZE:-300}"

if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[start] installing dependencies (npm ci)" >&2
  step npm ci --no-audit --no-fund
fi

if [ -z "${ES_URL:-}" ]; then
  step bash scripts/es.sh start
  ES_URL="$(bash scripts/es.sh url)"
fi
export ES_URL

echo "[start] building" >&2
# tsc and tsx directly, not through `npm run`: an npm in between would put a shell between us and the work.
step node node_modules/typescript/bin/tsc -p tsconfig.build.json
step node --import tsx scripts/build-web.ts

if [ ! -s "$SAMPLE_DIR/products.jsonl" ]; then
  echo "[start] generating the sample catalog ($SAMPLE_SIZE products, seed $SAMPLE_SEED) into $SAMPLE_DIR" >&2
  step node --import tsx tools/synth/cli.ts --seed "$SAMPLE_SEED" --n "$SAMPLE_SIZE" --out "$SAMPLE_DIR"
fi

echo "[start] loading the sample catalog into Elasticsearch" >&2
step node dist/scripts/load-catalog.js "$SAMPLE_DIR" --image-base-url /samples/

export SAMPLE_CATALOG_DIR="$SAMPLE_DIR"
exec node dist/src/main.js
