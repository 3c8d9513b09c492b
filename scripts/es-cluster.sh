# shellcheck shell=bash
# N-node Elasticsearch cluster on loopback, sourced by scripts/es.sh (not run on its own; see its header for usage).
#
# Node i (1-based) listens on HTTP ES_PORT+i-1 and transport ES_TRANSPORT_PORT+i-1, lives in
# <base>/<ES_CLUSTER_ID, default cluster>/node-i/{config,data,logs,run,tmp} and is named node-i; every node is master-eligible, seeds from all
# transport ports and bootstraps with cluster.initial_master_nodes = all names. The cluster's shape (size and ports)
# is recorded in <base>/cluster/cluster.env at cluster-start, so kill-node/start-node/urls need no environment.

# ES_CLUSTER_ID names a cluster, so one checkout can hold several side by side (the test suite's own is `test`, kept
# apart from a developer's drill cluster): <base>/<id>/, cluster name similarity-dev-<id>.
CLUSTER_ID="${ES_CLUSTER_ID:-cluster}"
[[ "$CLUSTER_ID" =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "ES_CLUSTER_ID must be lowercase letters, digits and '-', got '$CLUSTER_ID'"
CLUSTER_NAME_MULTI="similarity-dev-$CLUSTER_ID"

cluster_paths() {
  set_paths
  CLUSTER_DIR="$BASE_DIR/$CLUSTER_ID"
  CLUSTER_ENV="$CLUSTER_DIR/cluster.env"
}

# Sets CL_NODES/CL_HTTP/CL_TRANSPORT from the recorded shape, else from the environment ($1 = default size).
cluster_load() {
  cluster_paths
  if [ -f "$CLUSTER_ENV" ]; then
    # shellcheck disable=SC1090
    source "$CLUSTER_ENV"
  else
    CL_NODES="${1:-${ES_NODES:-3}}"
    CL_HTTP="$ES_PORT"
    CL_TRANSPORT="${ES_TRANSPORT_PORT:-$((ES_PORT + 100))}"
  fi
}

set_node_paths() { # $1 = node index
  local i="$1" dir
  [[ "$i" =~ ^[1-9][0-9]*$ ]] && [ "$i" -le "$CL_NODES" ] || die "node index must be 1..$CL_NODES, got '$i'"
  set_paths
  dir="$CLUSTER_DIR/node-$i"
  NODE_NAME="node-$i"
  CLUSTER_NAME="$CLUSTER_NAME_MULTI"
  NODE_HTTP_PORT=$((CL_HTTP + i - 1))
  NODE_TRANSPORT_PORT=$((CL_TRANSPORT + i - 1))
  NODE_URL="http://127.0.0.1:$NODE_HTTP_PORT"
  CONF_DIR="$dir/config"
  DATA_DIR="$dir/data"
  LOGS_DIR="$dir/logs"
  RUN_DIR="$dir/run"
  TMP_DIR="$dir/tmp"
  PID_FILE="$RUN_DIR/es.pid"
  NODE_HEAP="${ES_HEAP:-512m}"
}

node_pid_alive() { # $1 = index; prints the pid when the node's JVM is alive
  set_node_paths "$1"
  local pid; pid="$(read_pid)"
  pid_is_es "$pid" && echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

discovery_yaml() {
  local i seeds="" names=""
  for i in $(seq 1 "$CL_NODES"); do
    seeds+="${seeds:+, }\"127.0.0.1:$((CL_TRANSPORT + i - 1))\""
    names+="${names:+, }\"node-$i\""
  done
  printf 'transport.port: %s\ndiscovery.seed_hosts: [%s]\ncluster.initial_master_nodes: [%s]\n' \
    "$NODE_TRANSPORT_PORT" "$seeds" "$names"
}

# Writes node i's config (a copy of the distribution's, plus elasticsearch.yml) and launches it. Needs JAVA_HOME_ES.
launch_cluster_node() {
  set_node_paths "$1"
  local p
  for p in "$NODE_HTTP_PORT" "$NODE_TRANSPORT_PORT"; do
    port_in_use "$p" && die "port $p (for $NODE_NAME) is already in use; choose other ports with ES_PORT / ES_TRANSPORT_PORT"
  done
  if [ ! -f "$CONF_DIR/jvm.options" ]; then
    mkdir -p "$CONF_DIR"
    cp -r "$ES_HOME/config/." "$CONF_DIR/"
    rm -f "$CONF_DIR/elasticsearch.keystore" # each node creates its own seed
  fi
  write_config "$(discovery_yaml)"
  launch_node
}

# GET $1 (path + query) from the first node that answers with 2xx; prints the body.
cluster_get() {
  local i
  for i in $(seq 1 "$CL_NODES"); do
    curl -fsS --max-time 5 "http://127.0.0.1:$((CL_HTTP + i - 1))$1" 2>/dev/null && return 0
  done
  return 1
}

cluster_reached() { # wait target: $WAIT_STATUS with all CL_NODES nodes
  cluster_get "/_cluster/health?wait_for_status=${WAIT_STATUS}&wait_for_nodes=${CL_NODES}&timeout=2s" >/dev/null
}

cluster_start() { # $1 = node count (optional: else ES_NODES, else the recorded size, else 3)
  local i p pid rec="" n http transport
  ensure_user
  cluster_paths
  mkdir -p "$CLUSTER_DIR"
  exec 8>"$CLUSTER_DIR/.lock"
  flock -w 300 8 || die "timed out waiting for $CLUSTER_DIR/.lock"
  if [ -f "$CLUSTER_ENV" ]; then rec="$(tr '\n' ' ' <"$CLUSTER_ENV" | sed 's/ *$//')"; source "$CLUSTER_ENV"; fi
  # What the caller chose explicitly wins; anything left unsaid keeps the recorded shape.
  n="${1:-${ES_NODES:-${CL_NODES:-3}}}"
  [[ "$n" =~ ^[2-9]$ ]] || die "a cluster has 2..9 nodes, got '$n' (one node: plain 'start')"
  http="${ES_PORT_GIVEN:-${CL_HTTP:-$ES_PORT}}"
  if [ -n "${ES_TRANSPORT_PORT:-}" ]; then transport="$ES_TRANSPORT_PORT"
  elif [ "$http" = "${CL_HTTP:-}" ]; then transport="$CL_TRANSPORT"
  else transport=$((http + 100)); fi
  local want="CL_NODES=$n CL_HTTP=$http CL_TRANSPORT=$transport"
  if [ -n "$rec" ] && [ "$rec" != "$want" ]; then
    die "$CLUSTER_DIR holds a cluster created as ($rec), not ($want); 'bash scripts/es.sh cluster-clean' deletes it"
  fi
  printf '%s\n' $want >"$CLUSTER_ENV"
  cluster_load
  local todo=()
  for i in $(seq 1 "$CL_NODES"); do
    set_node_paths "$i"
    pid="$(node_pid_alive "$i" || true)"
    if [ -n "$pid" ]; then log "node-$i already running (pid $pid)"; continue; fi
    for p in "$NODE_HTTP_PORT" "$NODE_TRANSPORT_PORT"; do
      port_in_use "$p" && die "port $p (for node-$i) is already in use; choose other ports with ES_PORT / ES_TRANSPORT_PORT"
    done
    todo+=("$i")
  done
  prepare_distribution
  local jobs=() failed=0 j
  for i in "${todo[@]}"; do
    # JVM start-up is mostly single-threaded class loading: launching the nodes side by side halves the wait.
    (launch_cluster_node "$i") 8>&- &
    jobs+=("$!")
  done
  for j in "${jobs[@]}"; do wait "$j" || failed=1; done
  [ "$failed" = 0 ] || die "a node failed to launch (see above); 'bash scripts/es.sh cluster-stop' stops the others"
  set_node_paths 1
  WAIT_STATUS="${ES_WAIT_STATUS:-green}" wait_until "$CL_NODES nodes and ${ES_WAIT_STATUS:-green} health" cluster_reached
  log "cluster $CLUSTER_NAME_MULTI: $CL_NODES nodes, ${ES_WAIT_STATUS:-green}, $(cluster_urls)"
}

cluster_stop() {
  cluster_load
  local i pid pids=()
  for i in $(seq 1 "$CL_NODES"); do
    pid="$(node_pid_alive "$i" || true)"
    if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; pids[i]="$pid"; fi
  done
  [ "${#pids[@]}" -gt 0 ] || { log "no cluster node from $CLUSTER_DIR is running"; return 0; }
  for i in "${!pids[@]}"; do
    set_node_paths "$i"
    stop_pid "${pids[i]}" # already signalled; waits, escalates to SIGKILL after 60 s
  done
  log "cluster stopped (${#pids[@]} nodes)"
}

cluster_signal_node() { # $1 = index, $2 = TERM | KILL
  cluster_load
  [ -f "$CLUSTER_ENV" ] || die "no cluster recorded in $CLUSTER_DIR; run cluster-start first"
  set_node_paths "$1" # validates the index here: a die inside $(...) below would only end the subshell
  local pid; pid="$(node_pid_alive "$1" || true)"
  [ -n "$pid" ] || { log "node-$1 is not running"; return 0; }
  set_node_paths "$1"
  stop_pid "$pid" "$2"
  log "node-$1 ($NODE_URL) is down (SIG$2)"
}

cluster_start_node() { # $1 = index; waits until all nodes are back and the cluster is green
  cluster_load
  [ -f "$CLUSTER_ENV" ] || die "no cluster recorded in $CLUSTER_DIR; run cluster-start first"
  set_node_paths "$1" # validates the index here: a die inside $(...) below would only end the subshell
  local pid; pid="$(node_pid_alive "$1" || true)"
  if [ -n "$pid" ]; then
    log "node-$1 already running (pid $pid)"
  else
    exec 8>"$CLUSTER_DIR/.lock"
    flock -w 300 8 || die "timed out waiting for $CLUSTER_DIR/.lock"
    prepare_distribution
    launch_cluster_node "$1"
  fi
  set_node_paths "$1"
  WAIT_STATUS="${ES_WAIT_STATUS:-green}" wait_until "$CL_NODES nodes and ${ES_WAIT_STATUS:-green} health" cluster_reached
  log "node-$1 is back: $CL_NODES nodes, ${ES_WAIT_STATUS:-green}"
}

cluster_status() {
  cluster_load
  local i pid health
  for i in $(seq 1 "$CL_NODES"); do
    set_node_paths "$i"
    pid="$(node_pid_alive "$i" || true)"
    if [ -n "$pid" ]; then
      echo "node-$i  $NODE_URL  transport $NODE_TRANSPORT_PORT  pid $pid  rss $(awk '/VmRSS/{print $2, $3}' "/proc/$pid/status" 2>/dev/null)"
    else
      echo "node-$i  $NODE_URL  transport $NODE_TRANSPORT_PORT  down"
    fi
  done
  if health="$(cluster_get /_cluster/health)"; then
    echo "health: $health"
    return 0
  fi
  echo "health: no node of $CLUSTER_DIR answers"
  return 1
}

cluster_urls() {
  cluster_load
  local i out=""
  for i in $(seq 1 "$CL_NODES"); do out+="${out:+,}http://127.0.0.1:$((CL_HTTP + i - 1))"; done
  echo "$out"
}

cluster_clean() {
  cluster_stop
  log "deleting $CLUSTER_DIR"
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} + 2>/dev/null || true
}
