#!/usr/bin/env bash
# Test entry point (`npm test`): installs deps if needed, makes sure a local Elasticsearch is up
# (scripts/es.sh), runs jest with any extra args, and stops Elasticsearch again only if this
# script started it. Exit code = jest's exit code.
#
#   npm test                         # everything but the slow project
#   npm test -- --selectProjects unit
#   npm run test:slow                # the slow project (large feeds, memory): test/slow
#   TEST_SLOW=1 npm test             # everything, slow project included (CI)
#   ES_URL=http://host:9200 npm test # use an existing cluster, don't start one
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# onnxruntime-node's postinstall tries to download CUDA binaries from a host we can't reach.
export ONNXRUNTIME_NODE_INSTALL=skip

# --- dependencies -------------------------------------------------------------------------
if [ -f package-lock.json ]; then
  # node_modules/.package-lock.json is written by npm on every install: use it as the stamp.
  if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] ||
    [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[test.sh] npm ci" >&2
    npm ci --no-audit --no-fund
  fi
elif [ ! -d node_modules ] || [ package.json -nt node_modules ]; then
  echo "[test.sh] no package-lock.json: npm install" >&2
  npm install --no-audit --no-fund
fi

# --- Elasticsearch --------------------------------------------------------------------------
STARTED_ES=0
stop_es() {
  if [ "$STARTED_ES" = 1 ]; then bash scripts/es.sh stop || true; fi
}
trap stop_es EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# `npm test -- --selectProjects unit` needs no Elasticsearch (README): don't start one.
NEEDS_ES=1
case " $* " in
  *" --selectProjects unit "* | *" --selectProjects=unit "*)
    case " $* " in *integration*) ;; *) NEEDS_ES=0 ;; esac ;;
esac

if [ "$NEEDS_ES" = 1 ] && [ -z "${ES_URL:-}" ]; then
  if bash scripts/es.sh status >/dev/null 2>&1; then
    echo "[test.sh] using the Elasticsearch already running at $(bash scripts/es.sh url)" >&2
  else
    STARTED_ES=1 # set before start so a half-started node is stopped on failure too
    bash scripts/es.sh start
  fi
  ES_URL="$(bash scripts/es.sh url)"
fi
if [ -n "${ES_URL:-}" ]; then
  export ES_URL
  echo "[test.sh] ES_URL=$ES_URL" >&2
fi

# --- browser tests ------------------------------------------------------------------------
# test/browser needs Debian's Chromium (installed with apt-get if missing, as es.sh fetches Elasticsearch) and the
# built web assets (widgets, demo, map, explorer). Only when browser tests are selected: everything, the browser
# project, or a path under test/browser.
NEEDS_BROWSER=1
case " $* " in
  *browser*) ;;
  *" --selectProjects"* | *"test/"* | *".test.ts"*) NEEDS_BROWSER=0 ;;
esac
if [ "$NEEDS_BROWSER" = 1 ]; then
  bash scripts/browser.sh ensure
  echo "[test.sh] building web assets (npm run build:web)" >&2
  npm run --silent build:web
fi

# --- temp files -----------------------------------------------------------------------------
# Test processes write their temp files under the checkout's own tmp/ (gitignored), one folder per run that is
# removed afterwards, never in the system temp dir. Folders of runs that were killed are removed on the next run.
mkdir -p tmp
for dir in tmp/test-run-*; do
  if [ -d "$dir" ] && ! kill -0 "${dir##*-}" 2>/dev/null; then rm -rf "$dir"; fi
done
RUN_TMP="$PWD/tmp/test-run-$$"
mkdir -p "$RUN_TMP"
trap 'stop_es; rm -rf "$RUN_TMP"' EXIT

# --- jest -----------------------------------------------------------------------------------
# The slow project (minutes: gigabyte feeds, memory ceilings) runs when asked for by name or path, or with TEST_SLOW=1.
SLOW_ARGS=(--ignoreProjects slow)
case " $* " in *slow*) SLOW_ARGS=() ;; esac
if [ "${TEST_SLOW:-0}" = 1 ]; then SLOW_ARGS=(); fi
# --forceExit: on 2 cores jest runs every suite inside its main process (in band), so one handle a suite forgot (a child process, a
# server, a ref'd timer) would keep a green run alive until CI's time limit. The open-handles reporter names it instead.
set +e
TMPDIR="$RUN_TMP" npx jest --forceExit ${SLOW_ARGS[@]+"${SLOW_ARGS[@]}"} "$@"
rc=$?
set -e
exit "$rc"
