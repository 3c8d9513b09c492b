#!/usr/bin/env bash
# Local Elasticsearch for development and tests (no Docker needed): one node, or an N-node cluster on loopback.
#
#   bash scripts/es.sh start    # fetch (mvn), unpack, start daemonized, wait for health; idempotent
#   bash scripts/es.sh stop     # stop the node this checkout started (pidfile); idempotent
#   bash scripts/es.sh status   # exit 0 if healthy on the port, 1 otherwise
#   bash scripts/es.sh url      # print http://127.0.0.1:$ES_PORT
#
# Cluster (scripts/es-cluster.sh; ES_NODES=N turns start/stop/status/url into the cluster commands):
#   bash scripts/es.sh cluster-start [N]   # N nodes (else ES_NODES, the recorded size, 3); waits for green, N nodes
#   bash scripts/es.sh cluster-stop        # stop every node of the cluster
#   bash scripts/es.sh cluster-status      # per-node pid/port/health; exit 0 when the cluster answers
#   bash scripts/es.sh cluster-urls        # comma-separated http URLs of all N nodes
#   bash scripts/es.sh kill-node I         # SIGKILL node I (1-based): a crash, for fault tests
#   bash scripts/es.sh stop-node I         # SIGTERM node I and wait for it to exit
#   bash scripts/es.sh start-node I        # (re)start node I, wait until N nodes are back and health is green
#   bash scripts/es.sh cluster-clean       # stop the cluster and delete its data
#
# Env: ES_VERSION (9.2.0), ES_PORT (9200; a cluster uses ES_PORT .. ES_PORT+N-1 for HTTP),
#      ES_TRANSPORT_PORT (cluster only; default ES_PORT+100, i.e. 9300.. next to 9200..), ES_HEAP (1g; 512m per
#      cluster node), ES_JAVA_HOME (a JDK >= 21), ES_USER (elasticsearch; used only when running as root),
#      ES_START_TIMEOUT (120 s), ES_BASE_DIR (override where home/data/logs live; default: <repo>/.es, see below),
#      ES_CLUSTER_ID (cluster only: which of this checkout's clusters, default `cluster`; the tests use `test`).
#
# Distribution: org.elasticsearch.distribution.integ-test-zip:elasticsearch:<ver>:zip from
# Maven Central. It is the minimal "integ test" distribution: no bundled JDK and only the
# modules apm, transport-netty4, x-pack-core and x-pack-security. Consequences:
#   - `GET /` (rest-root module) answers 405, so health is probed via /_cluster/health;
#   - no analysis-common, painless, rrf, ml, ingest-geoip, monitoring, ... Settings owned by
#     missing modules are fatal at boot ("unknown setting [ingest.geoip.downloader.enabled]",
#     same for xpack.monitoring.*), so do not add them. xpack.ml.enabled / xpack.watcher.enabled
#     happen to be accepted (x-pack-core registers them) but are pointless here;
#   - dense_vector / kNN search is in server core and works.
# Versions: Central serves 9.2.0 but (checked 2026-11-28) not 9.2.9, 9.3.x, 9.4.x or 9.5.x of this artifact, and
# its maven-metadata.xml lists no 9.x at all, so a version can only be tried by name: ES_VERSION=9.x.y.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ES_VERSION="${ES_VERSION:-9.2.0}"
ES_PORT_GIVEN="${ES_PORT:-}" # a cluster keeps its recorded ports unless ES_PORT is set explicitly
ES_PORT="${ES_PORT:-9200}"
ES_USER="${ES_USER:-elasticsearch}"
ES_START_TIMEOUT="${ES_START_TIMEOUT:-120}"
ES_URL_LOCAL="http://127.0.0.1:${ES_PORT}"
ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"

log() { printf '[es.sh] %s\n' "$*" >&2; }
die() { printf '[es.sh] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command as the ES user (root) or as ourselves (non-root developers).
as_es() {
  if is_root; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$ES_USER" -- "$@"
    else
      setpriv --reuid="$ES_USER" --regid="$ES_USER" --init-groups -- "$@"
    fi
  else
    "$@"
  fi
}

# ---------------------------------------------------------------------------------------------
# Where the ES home, data and logs live.
#
# Default is <repo>/.es (gitignored). Elasticsearch refuses to run as root, so when we are root
# the node runs as the dedicated system user $ES_USER, which needs to traverse every path
# component down to .es/. That fails when the checkout sits below a private directory
# (e.g. /root is 0700). Rather than chmod'ing o+x on someone else's directories (a silent,
# global permission change on /root or a home dir), we fall back to a per-checkout directory
# under /var/tmp (persistent across reboots, world-traversable, not wiped like /tmp), keyed by a
# hash of the repo path so two checkouts never share data. Deterministic, so start/stop/status
# from the same checkout always agree. .es/location records where it went.
# ---------------------------------------------------------------------------------------------
es_user_can_traverse() { # $1 = directory that must be reachable by the ES user
  is_root || return 0
  runuser -u "$ES_USER" -- test -x "$1" 2>/dev/null
}

resolve_base_dir() {
  if [ -n "${ES_BASE_DIR:-}" ]; then BASE_DIR="$ES_BASE_DIR"; return; fi
  BASE_DIR="$REPO_ROOT/.es"
  if is_root && id -u "$ES_USER" >/dev/null 2>&1 && ! es_user_can_traverse "$REPO_ROOT"; then
    local key
    key="$(printf '%s' "$REPO_ROOT" | sha1sum | cut -c1-12)"
    BASE_DIR="/var/tmp/es-dev-${key}"
  fi
}

# The single node: config inside ES_HOME (as it always was), data/logs/run/tmp directly under the base dir.
set_paths() {
  resolve_base_dir
  ES_HOME="$BASE_DIR/elasticsearch-$ES_VERSION"
  NODE_NAME=dev-node
  CLUSTER_NAME=similarity-dev
  NODE_HTTP_PORT="$ES_PORT"
  NODE_URL="$ES_URL_LOCAL"
  CONF_DIR="$ES_HOME/config"
  DATA_DIR="$BASE_DIR/data"
  LOGS_DIR="$BASE_DIR/logs"
  RUN_DIR="$BASE_DIR/run"
  TMP_DIR="$BASE_DIR/tmp"
  PID_FILE="$RUN_DIR/es.pid"
  NODE_HEAP="${ES_HEAP:-1g}"
}

# ---------------------------------------------------------------------------------------------
healthy() { # healthy on the port (whoever runs it)? $1 = server-side wait
  curl -fsS --max-time 5 \
    "${NODE_URL}/_cluster/health?wait_for_status=yellow&timeout=${1:-1s}" >/dev/null 2>&1
}

read_pid() { [ -s "$PID_FILE" ] && tr -dc '0-9' <"$PID_FILE" || true; }

pid_is_es() { # live process that really is an Elasticsearch JVM of this node (guards against PID reuse)
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  local cmd; cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  # dev.options pins -XX:HeapDumpPath to this node's logs dir, so the command line names the node.
  [[ "$cmd" == *org.elasticsearch* && "$cmd" == *"-XX:HeapDumpPath=$LOGS_DIR "* ]]
}

java_major() { # $1 = java home; prints the feature version or nothing
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n1
}

find_java() {
  local cand v best="" best_v=0
  if [ -n "${ES_JAVA_HOME:-}" ]; then
    v="$(java_major "$ES_JAVA_HOME")"
    [ -n "$v" ] && [ "$v" -ge 21 ] && { echo "$ES_JAVA_HOME"; return; }
    die "ES_JAVA_HOME=$ES_JAVA_HOME is not a JDK >= 21 (found version '${v:-none}')"
  fi
  for cand in /usr/lib/jvm/*/; do
    cand="${cand%/}"
    [ -L "$cand" ] && continue # skip alias symlinks, prefer real dirs
    v="$(java_major "$cand")"
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$cand"; best_v="$v"; fi
  done
  [ -n "$best" ] || die "Elasticsearch $ES_VERSION needs Java 21+; none found. Set ES_JAVA_HOME to a JDK >= 21 (e.g. apt-get install temurin-21-jdk) or install one under /usr/lib/jvm."
  echo "$best"
}

ensure_user() {
  is_root || return 0
  id -u "$ES_USER" >/dev/null 2>&1 && return 0
  log "creating system user '$ES_USER' (Elasticsearch refuses to run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$ES_USER"
}

fetch_zip() { # prints the path of the cached distribution zip
  local repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  local zip="$repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null 2>&1 || die "mvn not found; needed to fetch $ARTIFACT from Maven Central"
    log "downloading $ARTIFACT via mvn (cached in $repo afterwards)"
    # -U: Maven caches "not found" for a day; a version published since must be found on the next try.
    mvn -B -q -U -Dmaven.repo.local="$repo" dependency:get -Dtransitive=false -Dartifact="$ARTIFACT" >&2 ||
      die "mvn dependency:get $ARTIFACT failed (is ES_VERSION=$ES_VERSION published on Maven Central? 9.2.0 is)"
    [ -s "$zip" ] || die "mvn reported success but $zip is missing"
  fi
  echo "$zip"
}

unpack() { # $1 = zip; unpacks into $ES_HOME atomically (tmp dir + mv)
  local zip="$1" tmp
  [ -x "$ES_HOME/bin/elasticsearch" ] && return 0
  tmp="$(mktemp -d "$BASE_DIR/.unpack.XXXXXX")"
  log "unpacking $(basename "$zip") into $ES_HOME"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$tmp"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$tmp"
    chmod +x "$tmp/elasticsearch-$ES_VERSION/bin/"* # python's zipfile drops the exec bits
  else
    (cd "$tmp" && "$JAVA_HOME_ES/bin/jar" xf "$zip") && chmod +x "$tmp/elasticsearch-$ES_VERSION/bin/"*
  fi
  [ -x "$tmp/elasticsearch-$ES_VERSION/bin/elasticsearch" ] || die "unexpected zip layout in $zip"
  rm -rf "$ES_HOME"
  mv "$tmp/elasticsearch-$ES_VERSION" "$ES_HOME"
  rm -rf "$tmp"
}

prepare_distribution() { # the ES user, a JDK, and the unpacked distribution
  ensure_user
  JAVA_HOME_ES="$(find_java)"
  local zip; zip="$(fetch_zip)"
  unpack "$zip"
}

# Settings shared by every node; $1 = extra YAML for this node (discovery).
write_config() {
  # Rewritten on every start so ES_PORT / paths changes take effect.
  cat >"$CONF_DIR/elasticsearch.yml" <<EOF
# Generated by scripts/es.sh — edits are overwritten on the next start.
cluster.name: $CLUSTER_NAME
node.name: $NODE_NAME
path.data: $DATA_DIR
path.logs: $LOGS_DIR
network.host: 127.0.0.1
http.port: $NODE_HTTP_PORT
$1
xpack.security.enabled: false
# Dev box: percentage watermarks (85/90/95 % used) trip on big, mostly-full CI disks and put
# indices into read-only mode mid-test. Absolute free-space floors still stop a runaway disk.
cluster.routing.allocation.disk.watermark.low: 3gb
cluster.routing.allocation.disk.watermark.high: 2gb
cluster.routing.allocation.disk.watermark.flood_stage: 1gb
EOF
  # The stock jvm.options writes gc.log, hs_err and heap dumps relative to the JVM's working
  # directory; we start the JVM with cwd = logs/ (see launch_node), and pin these explicitly too.
  mkdir -p "$CONF_DIR/jvm.options.d"
  cat >"$CONF_DIR/jvm.options.d/dev.options" <<EOF
-XX:HeapDumpPath=$LOGS_DIR
-XX:ErrorFile=$LOGS_DIR/hs_err_pid%p.log
EOF
}

print_log_tail() {
  local f="$LOGS_DIR/$CLUSTER_NAME.log"
  if [ -f "$f" ]; then
    log "---- last 60 lines of $f ----"
    tail -n 60 "$f" >&2 || true
  fi
  if [ -f "$LOGS_DIR/es-startup.out" ]; then
    log "---- last 30 lines of $LOGS_DIR/es-startup.out ----"
    tail -n 30 "$LOGS_DIR/es-startup.out" >&2 || true
  fi
}

# The launcher JVM (CLI) writes a final-flags<random> directory into its java.io.tmpdir on every start and never
# removes it; by default that is the system temp dir. Point it at the node's own tmp/ and sweep it once the node is
# up (the server JVM reads the flags at launch only).
sweep_launcher_tmp() { rm -rf "$TMP_DIR"/final-flags* 2>/dev/null || true; }

# Starts the node described by the current NODE_*/…_DIR variables (config already written), without waiting.
launch_node() {
  rm -rf "$TMP_DIR"
  mkdir -p "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$TMP_DIR"
  rm -f "$PID_FILE"
  if is_root; then
    chmod 755 "$BASE_DIR"
    chown -R "$ES_USER:$ES_USER" "$ES_HOME" "$CONF_DIR" "$DATA_DIR" "$LOGS_DIR" "$RUN_DIR" "$TMP_DIR"
    runuser -u "$ES_USER" -- test -w "$DATA_DIR" ||
      die "user $ES_USER cannot write $DATA_DIR (set ES_BASE_DIR to a directory it can reach)"
  fi
  log "starting $NODE_NAME (Elasticsearch $ES_VERSION) on $NODE_URL (java: $JAVA_HOME_ES, heap $NODE_HEAP, dir $BASE_DIR)"
  local t0=$SECONDS
  # cd into logs/: the JVM's cwd must be accessible to the ES user (the repo may not be).
  # Raise the fd limit (ES bootstrap check wants 65535; only a warning on loopback).
  if ! (cd "$LOGS_DIR" && { ulimit -n 65535 2>/dev/null || true; } && as_es env -u JAVA_HOME \
    ES_JAVA_HOME="$JAVA_HOME_ES" \
    ES_PATH_CONF="$CONF_DIR" \
    ES_TMPDIR="$TMP_DIR" \
    CLI_JAVA_OPTS="-Djava.io.tmpdir=$TMP_DIR" \
    ES_JAVA_OPTS="-Xms$NODE_HEAP -Xmx$NODE_HEAP ${ES_EXTRA_JAVA_OPTS:-}" \
    "$ES_HOME/bin/elasticsearch" -d -p "$PID_FILE" \
    >"$LOGS_DIR/es-startup.out" 2>&1 </dev/null 9>&-); then
    print_log_tail
    die "bin/elasticsearch -d failed for $NODE_NAME"
  fi
  sweep_launcher_tmp
  log "$NODE_NAME daemon launched in $((SECONDS - t0)) s (pid $(read_pid))"
}

# Waits until `$1` (a command) succeeds while the node's process stays alive.
wait_until() {
  local what="$1" check="$2" deadline=$((SECONDS + ES_START_TIMEOUT)) pid
  while [ $SECONDS -lt $deadline ]; do
    if $check; then return 0; fi
    pid="$(read_pid)"
    if [ -n "$pid" ] && ! pid_is_es "$pid"; then # not kill -0: it is true for zombies
      print_log_tail
      die "$NODE_NAME (pid $pid) exited during startup"
    fi
    sleep 1
  done
  print_log_tail
  die "$what not reached after ${ES_START_TIMEOUT}s (still running: pid ${pid:-?}; 'bash scripts/es.sh stop' to kill it)"
}

# SIGTERM (or $2 = KILL) the node's pid and wait for it to go; the pid file goes with it.
stop_pid() {
  local pid="$1" sig="${2:-TERM}" i
  log "stopping $NODE_NAME pid $pid (SIG$sig)"
  kill "-$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 60); do
    pid_is_es "$pid" || { rm -f "$PID_FILE"; sweep_launcher_tmp; return 0; }
    sleep 1
  done
  log "pid $pid still alive after 60 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for i in $(seq 1 10); do
    pid_is_es "$pid" || break
    sleep 1
  done
  pid_is_es "$pid" && die "could not stop pid $pid"
  rm -f "$PID_FILE"
}

# ---------------------------------------------------------------------------------------------
single_healthy_2s() { healthy 2s; }

cmd_start() {
  set_paths
  if healthy; then
    local pid; pid="$(read_pid)"
    if pid_is_es "$pid"; then
      log "already running and healthy at $ES_URL_LOCAL (pid $pid, $BASE_DIR)"
    else
      log "an Elasticsearch is already healthy at $ES_URL_LOCAL (not started from $BASE_DIR); using it"
    fi
    return 0
  fi

  ensure_user
  set_paths # the base dir choice depends on the user existing
  mkdir -p "$BASE_DIR"
  [ "$BASE_DIR" = "$REPO_ROOT/.es" ] || { mkdir -p "$REPO_ROOT/.es"; echo "$BASE_DIR" >"$REPO_ROOT/.es/location"; }

  # Serialise concurrent starts/stops of the same checkout (e.g. two test runs at once).
  exec 9>"$BASE_DIR/.lock"
  flock -w 300 9 || die "timed out waiting for $BASE_DIR/.lock"
  if healthy; then log "became healthy while waiting for the lock: $ES_URL_LOCAL"; return 0; fi

  local pid; pid="$(read_pid)"
  if pid_is_es "$pid"; then
    log "pid $pid is running but not healthy yet; waiting for it"
  else
    prepare_distribution
    write_config "discovery.type: single-node"
    launch_node
  fi
  wait_until "health at $ES_URL_LOCAL" single_healthy_2s
  log "healthy at $ES_URL_LOCAL (pid $(read_pid))"
}

cmd_stop() {
  set_paths
  local pid; pid="$(read_pid)"
  if ! pid_is_es "$pid"; then
    rm -f "$PID_FILE" 2>/dev/null || true
    log "not running (no live pid in $PID_FILE)"
    if healthy; then log "note: an Elasticsearch NOT started from this checkout still answers on $ES_URL_LOCAL; left alone"; fi
    return 0
  fi
  stop_pid "$pid"
  log "stopped"
}

cmd_status() {
  set_paths
  local pid; pid="$(read_pid)"
  if pid_is_es "$pid"; then
    echo "pid:    $pid ($BASE_DIR)"
    echo "rss:    $(awk '/VmRSS/{print $2, $3}' "/proc/$pid/status" 2>/dev/null)"
  else
    echo "pid:    none started from this checkout ($BASE_DIR)"
  fi
  if healthy; then
    echo "url:    $ES_URL_LOCAL"
    echo "health: $(curl -fsS --max-time 5 "$ES_URL_LOCAL/_cluster/health")"
    return 0
  fi
  echo "health: not reachable at $ES_URL_LOCAL"
  return 1
}

# shellcheck source=es-cluster.sh
source "$REPO_ROOT/scripts/es-cluster.sh"

NODES="${ES_NODES:-1}"
case "${1:-}" in
  start) if [ "$NODES" -gt 1 ]; then cluster_start; else cmd_start; fi ;;
  stop) if [ "$NODES" -gt 1 ]; then cluster_stop; else cmd_stop; fi ;;
  status) if [ "$NODES" -gt 1 ]; then cluster_status; else cmd_status; fi ;;
  url) if [ "$NODES" -gt 1 ]; then cluster_urls; else echo "$ES_URL_LOCAL"; fi ;;
  cluster-start) cluster_start "${2:-}" ;;
  cluster-stop) cluster_stop ;;
  cluster-status) cluster_status ;;
  cluster-urls) cluster_urls ;;
  cluster-clean) cluster_clean ;;
  kill-node) cluster_signal_node "${2:?node index}" KILL ;;
  stop-node) cluster_signal_node "${2:?node index}" TERM ;;
  start-node) cluster_start_node "${2:?node index}" ;;
  *)
    echo "usage: $0 {start|stop|status|url|cluster-start [N]|cluster-stop|cluster-status|cluster-urls|cluster-clean|kill-node I|stop-node I|start-node I}" >&2
    exit 2
    ;;
esac
