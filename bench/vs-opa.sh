#!/usr/bin/env bash
# The Java PDP and Open Policy Agent measured in ONE run, under the same load:
# wrk with the peer's post.lua, same threads, connections and durations, on
# 127.0.0.1, on the same machine. Absolute figures move a lot from one machine
# (and one minute) to the next; only the figures of one run compare.
#
#   OPA_BIN=/path/to/opa bench/vs-opa.sh        (from the repo root, after mvn package)
#
# Environment (defaults in brackets):
#   OPA_BIN      opa binary, 0.61.0 (required; how to build it: ../shared/peers/opa/README.md)
#   PDP_JAR      the PDP's fat jar                          [target/pdp.jar]
#   DURATION     each measured wrk run                      [20s]
#   WARMUP       wrk warm-up before each steady run         [5s]
#   THREADS      wrk threads                                [2]
#   CONNECTIONS  wrk connections                            [64]
#   OPA_PORT, PDP_PORT  loopback ports                      [free ports]
#   JAVA_OPTS    extra JVM options for the PDP              []
#   KEEP=1       keep the temp dir (logs, wrk outputs, the PDP data dir)
#   SOAK_MINUTES after the steady run, this many one-minute wrk runs, each followed by the heap in
#                use after a full GC and the data directory's size: is the heap flat under load? [0]
#   MODE=pg      instead of the one-node H2 run: in the same run, after OPA, one node on H2, one node
#                on PostgreSQL and two nodes on one PostgreSQL with the load split between them (two
#                wrk runs at once, one per node, -c CONNECTIONS/2 and -t THREADS/2 each, figures
#                summed); the PostgreSQL is a throwaway cluster started here (initdb, as the user
#                postgres when run as root, a free loopback port) and removed after
#   PG_BIN       PostgreSQL 15 binaries (MODE=pg)            [/usr/lib/postgresql/15/bin]
#
# Only 127.0.0.1 is used. Every process started here is stopped by its PID.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
# The peer lives beside the repo (in ../shared), not in it: nothing of OPA is part of the project.
PEER=$REPO/../shared/peers/opa
POST_LUA=$PEER/post.lua

if [ -z "${OPA_BIN:-}" ]; then
  echo "OPA_BIN is not set: build OPA 0.61.0 as ../shared/peers/opa/README.md says" >&2
  echo "(section 'Building the peer on this machine'), outside this repo, then" >&2
  echo "  OPA_BIN=/path/to/opa bench/vs-opa.sh" >&2
  exit 1
fi
PDP_JAR=${PDP_JAR:-$REPO/target/pdp.jar}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-5s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
JAVA_OPTS=${JAVA_OPTS:-}

for tool in wrk curl python3 java; do
  command -v "$tool" >/dev/null || { echo "$tool not found (wrk: apt-get install -y wrk)" >&2; exit 1; }
done
[ -x "$OPA_BIN" ] || { echo "OPA_BIN=$OPA_BIN is not executable" >&2; exit 1; }
[ -f "$PDP_JAR" ] || { echo "PDP_JAR=$PDP_JAR not found (mvn -B -q -DskipTests package)" >&2; exit 1; }
[ -f "$POST_LUA" ] || { echo "$POST_LUA not found: the repo must sit next to shared/" >&2; exit 1; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
# Runs a PostgreSQL binary as postgres when we are root (initdb and the server refuse root).
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# Free ports rather than fixed ones: other builds on this machine may hold 8080/8181.
OPA_PORT=${OPA_PORT:-$(free_port)}
PDP_PORT=${PDP_PORT:-$(free_port)}

WORK=$(mktemp -d)
DATA=$WORK/pdp-data          # a fresh PDP data directory: no records from earlier runs
OPA_PID=""
PDP_PID=""

# SIGTERM, then wait: the PDP stops only after the recorder has flushed, so give it time.
stop_pid() {
  local pid=$1 name=$2 patience=$3
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((patience * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name (pid $pid) still running after ${patience}s: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

PG_DIR=""
cleanup() {
  stop_pid "$OPA_PID" opa 5; OPA_PID=""
  stop_pid "$PDP_PID" pdp 60; PDP_PID=""
  stop_pid "${PDP2_PID:-}" pdp 60; PDP2_PID=""
  if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM   # exit, so that the EXIT trap stops the servers

# One wrk run; the output goes to $WORK/wrk-<label>.txt. Extra env (BODY_FILE,
# POST_PATH) is what post.lua reads to drive the PDP instead of OPA.
run_wrk() {
  local label=$1 duration=$2 url=$3
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$duration" --latency -s "$POST_LUA" "$url" >"$WORK/wrk-$label.txt"
}
# Figures out of a wrk output: req/s, p50, p99, non-2xx, completed requests, socket errors.
rps()     { awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk-$1.txt"; }
pct()     { awk -v p="$2" '$1==p {print $2}' "$WORK/wrk-$1.txt"; }
non2xx()  { awk '/Non-2xx or 3xx responses:/ {n=$NF} END {print n+0}' "$WORK/wrk-$1.txt"; }
reqs()    { awk '/ requests in / {print $1}' "$WORK/wrk-$1.txt"; }
sockerr() { awk '/Socket errors:/ {sub(/^ *Socket errors: */, ""); print}' "$WORK/wrk-$1.txt"; }
show() {
  local errs
  errs=$(sockerr "$1")
  printf '  req/s %s, p50 %s, p99 %s, requests %s, non-2xx %s%s\n' "$(rps "$1")" "$(pct "$1" 50%)" \
    "$(pct "$1" 99%)" "$(reqs "$1")" "$(non2xx "$1")" "${errs:+, socket errors: $errs}"
}
human() { echo "$1" | sed -E 's/^([0-9.]+)([a-z]+)$/\1 \2/'; }   # "20s" -> "20 s"

WRK_DESC="wrk -t$THREADS -c$CONNECTIONS --latency -s ../shared/peers/opa/post.lua"
echo "=== load: $WRK_DESC, measured runs of $DURATION, warm-up $WARMUP; $(nproc) cores shared by wrk and the server"
echo

# ---------------------------------------------------------------- OPA ---
# As ../shared/peers/opa/bench.sh runs it (its 'nolog' run): no decision logs,
# --log-level error so that no request is logged either.
OPA_URL=http://127.0.0.1:$OPA_PORT/v1/data/execpolicy/decision
OPA_VERSION=$("$OPA_BIN" version | sed -n 's/^Version: //p')
echo "=== OPA $OPA_VERSION on 127.0.0.1:$OPA_PORT, policy ../shared/peers/opa/policy.rego, decision logs off"
"$OPA_BIN" run --server --addr "127.0.0.1:$OPA_PORT" --disable-telemetry --log-level error \
  "$PEER/policy.rego" >"$WORK/opa.log" 2>&1 &
OPA_PID=$!
ready=0
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$OPA_PORT/health" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$OPA_PID" 2>/dev/null || break
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "opa did not start:" >&2; cat "$WORK/opa.log" >&2; exit 1; }

# One answer checked before any load: the body post.lua sends (its INPUT block)
# must be granted layer_skip/approximate under W-1, as the PDP's answer will be.
sed -n '/^-- INPUT-BEGIN$/,/^-- INPUT-END$/p' "$POST_LUA" | sed '1,2d;$d' | sed '$d' | tr -d '\n' >"$WORK/opa-input.json"
printf '{"input":%s}' "$(cat "$WORK/opa-input.json")" >"$WORK/opa-body.json"
EXPECTED='{"result":{"downgraded":false,"exactness":"approximate","mode":"layer_skip","reasons":[],"waiver_ref":"W-1"}}'
got=$(curl -fsS -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/opa-body.json" "$OPA_URL")
[ "$got" = "$EXPECTED" ] || { echo "unexpected OPA decision: $got (expected $EXPECTED)" >&2; exit 1; }
echo "decision check ok: $got"

# post.lua targets OPA unless these are set.
unset BODY_FILE POST_PATH
run_wrk opa-warmup "$WARMUP" "$OPA_URL"
run_wrk opa "$DURATION" "$OPA_URL"
echo "steady ($DURATION after $WARMUP warm-up):"; show opa
stop_pid "$OPA_PID" opa 5; OPA_PID=""
echo

# ------------------------------------------------------- MODE=pg -------
if [ "${MODE:-}" = pg ]; then
  PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
  [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL at PG_BIN=$PG_BIN (apt-get install -y postgresql)" >&2; exit 1; }

  # A throwaway cluster: initdb and the server refuse to run as root, so as root they run as postgres.
  PG_DIR=$WORK/pg
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; chmod 755 "$WORK"; fi
  PG_PORT=$(free_port)
  as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C >"$WORK/initdb.log" 2>&1
  # PostgreSQL's defaults otherwise (fsync and synchronous_commit on): a decision is durable once answered
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
  for db in pdp_one pdp_two; do
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
  done
  echo "=== PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (throwaway cluster in $PG_DIR)"
  echo

  # start_node LABEL PORT DATA [serve flags...]: starts a PDP, waits for ready; its PID is in STARTED_PID
  start_node() {
    local label=$1 port=$2 data=$3; shift 3
    # shellcheck disable=SC2086  # JAVA_OPTS is a list of options
    java $JAVA_OPTS -jar "$PDP_JAR" serve --port "$port" --data "$data" --rules "$REPO/rules" --no-watch "$@" \
      >"$WORK/pdp-$label.log" 2>&1 &
    STARTED_PID=$!
    local ok=0
    for _ in $(seq 1 1200); do
      if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" 2>/dev/null)" = 200 ]; then
        ok=1; break
      fi
      kill -0 "$STARTED_PID" 2>/dev/null || break
      sleep 0.1
    done
    [ "$ok" = 1 ] || { echo "pdp $label did not get ready:" >&2; cat "$WORK/pdp-$label.log" >&2; exit 1; }
  }
  # setup URL TOKENS: the waiver and active profile of post.lua's decision, then one decision checked
  setup() {
    local url=$1 op expires code
    op=$(python3 -c 'import json,sys; print(next(t["token"] for t in json.load(open(sys.argv[1]))["tokens"] if t["name"] == "operator"))' "$2")
    expires=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
    sed "s/@EXPIRES_AT@/$expires/" "$HERE/pdp-waiver.json" >"$WORK/pdp-waiver.json"
    for step in "POST /v1/waivers $WORK/pdp-waiver.json" "PUT /v1/profiles/bench-fast $HERE/pdp-profile.json" \
                "POST /v1/profiles/bench-fast/activate -"; do
      set -- $step
      local args=(-sS -o "$WORK/answer.json" -w '%{http_code}' -X "$1" -H "authorization: Bearer $op")
      [ "$3" != - ] && args+=(-H 'content-type: application/json' --data-binary @"$3")
      code=$(curl "${args[@]}" "$url$2")
      case "$code" in 2??) ;; *) echo "$1 $2 answered $code: $(cat "$WORK/answer.json")" >&2; exit 1 ;; esac
    done
  }
  # check URL: the decision post.lua sends is granted layer_skip/approximate under W-1 by this node
  check() {
    curl -fsS -X POST -H 'content-type: application/json' --data-binary @"$HERE/pdp-body.json" "$1/v1/decisions" |
      python3 -c '
import json, sys
a = json.load(sys.stdin)
if (a.get("mode"), a.get("exactness"), a.get("waiver_ref")) != ("layer_skip", "approximate", "W-1"):
    sys.exit("unexpected PDP decision: %s" % a)'
  }
  # measure LABEL URL: warm-up, then the measured run, against one node with the whole load
  measure() {
    run_wrk "$1-warmup" "$WARMUP" "$2/"
    run_wrk "$1" "$DURATION" "$2/"
  }
  export BODY_FILE=$HERE/pdp-body.json POST_PATH=/v1/decisions

  PORT1=$(free_port)
  echo "=== one node on H2 (fresh --data)"
  start_node h2 "$PORT1" "$WORK/h2"; PDP_PID=$STARTED_PID
  setup "http://127.0.0.1:$PORT1" "$WORK/h2/tokens.json"; check "http://127.0.0.1:$PORT1"
  measure h2 "http://127.0.0.1:$PORT1"; show h2
  stop_pid "$PDP_PID" pdp 60; PDP_PID=""

  echo "=== one node on PostgreSQL (database pdp_one)"
  DB1="jdbc:postgresql://127.0.0.1:$PG_PORT/pdp_one?user=postgres"
  start_node pg1 "$PORT1" "$WORK/pg1" --database "$DB1" --node-id bench-1; PDP_PID=$STARTED_PID
  setup "http://127.0.0.1:$PORT1" "$WORK/pg1/tokens.json"; check "http://127.0.0.1:$PORT1"
  measure pg1 "http://127.0.0.1:$PORT1"; show pg1
  stop_pid "$PDP_PID" pdp 60; PDP_PID=""

  echo "=== two nodes on one PostgreSQL (database pdp_two), the load split between them"
  DB2="jdbc:postgresql://127.0.0.1:$PG_PORT/pdp_two?user=postgres"
  PORT2=$(free_port)
  start_node pg2a "$PORT1" "$WORK/pg2a" --database "$DB2" --node-id bench-a --tokens "$WORK/tokens.json"
  PDP_PID=$STARTED_PID
  start_node pg2b "$PORT2" "$WORK/pg2b" --database "$DB2" --node-id bench-b --tokens "$WORK/tokens.json"
  PDP2_PID=$STARTED_PID
  setup "http://127.0.0.1:$PORT1" "$WORK/tokens.json"   # through node a: node b sees it within a second
  for _ in $(seq 1 50); do check "http://127.0.0.1:$PORT2" 2>/dev/null && break; sleep 0.1; done
  check "http://127.0.0.1:$PORT1"; check "http://127.0.0.1:$PORT2"
  HALF_C=$(( CONNECTIONS / 2 > 0 ? CONNECTIONS / 2 : 1 )); HALF_T=$(( THREADS / 2 > 0 ? THREADS / 2 : 1 ))
  split() {   # split LABEL DURATION: one wrk per node at once, half the connections each
    wrk -t"$HALF_T" -c"$HALF_C" -d"$2" --latency -s "$POST_LUA" "http://127.0.0.1:$PORT1/" >"$WORK/wrk-$1-a.txt" &
    local wa=$!
    wrk -t"$HALF_T" -c"$HALF_C" -d"$2" --latency -s "$POST_LUA" "http://127.0.0.1:$PORT2/" >"$WORK/wrk-$1-b.txt" &
    local wb=$!
    wait "$wa" "$wb"
  }
  split pg2-warmup "$WARMUP"
  split pg2 "$DURATION"
  echo "  node a:"; show pg2-a
  echo "  node b:"; show pg2-b
  unset BODY_FILE POST_PATH
  stop_pid "$PDP2_PID" pdp 60; PDP2_PID=""
  stop_pid "$PDP_PID" pdp 60; PDP_PID=""
  PG2_RPS=$(awk -v a="$(rps pg2-a)" -v b="$(rps pg2-b)" 'BEGIN { printf "%.2f", a + b }')
  PG2_NON=$(( $(non2xx pg2-a) + $(non2xx pg2-b) ))
  # wrk gives no merged distribution: the worse node's p99 bounds the pair's
  PG2_P99=$(python3 -c '
import sys
def ms(v):
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(unit) and v[:-len(unit)].replace(".", "", 1).isdigit():
            return float(v[:-len(unit)]) * f
    return 0.0
a, b = sys.argv[1], sys.argv[2]
print(a if ms(a) >= ms(b) else b)' "$(pct pg2-a 99%)" "$(pct pg2-b 99%)")
  echo
  echo "=== summary (MODE=pg): $WRK_DESC, $DURATION each after $WARMUP warm-up"
  printf '%-40s %10s %10s %8s\n' run req/s p99 non-2xx
  printf '%-40s %10s %10s %8s\n' "OPA $OPA_VERSION" "$(rps opa)" "$(pct opa 99%)" "$(non2xx opa)"
  printf '%-40s %10s %10s %8s\n' "PDP, one node, H2" "$(rps h2)" "$(pct h2 99%)" "$(non2xx h2)"
  printf '%-40s %10s %10s %8s\n' "PDP, one node, PostgreSQL" "$(rps pg1)" "$(pct pg1 99%)" "$(non2xx pg1)"
  printf '%-40s %10s %10s %8s\n' "PDP, two nodes, one PostgreSQL (sum)" "$PG2_RPS" "$PG2_P99" "$PG2_NON"
  echo "(two nodes: req/s summed over both wrk runs, p99 the worse node's; all on the same $(nproc) cores)"
  exit 0
fi

# ---------------------------------------------------------------- PDP ---
echo "=== PDP $(basename "$PDP_JAR") on 127.0.0.1:$PDP_PORT, fresh data dir, rules/ (no watch)"
# shellcheck disable=SC2086  # JAVA_OPTS is a list of options
java $JAVA_OPTS -jar "$PDP_JAR" serve --port "$PDP_PORT" --data "$DATA" --rules "$REPO/rules" --no-watch \
  >"$WORK/pdp.log" 2>&1 &
PDP_PID=$!
PDP=http://127.0.0.1:$PDP_PORT
ready=0
for _ in $(seq 1 1200); do   # up to 120 s: JVM start and rule compile share 2 busy cores
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$PDP/health/ready" 2>/dev/null)" = 200 ]; then ready=1; break; fi
  kill -0 "$PDP_PID" 2>/dev/null || break
  sleep 0.1
done
[ "$ready" = 1 ] || { echo "pdp did not get ready:" >&2; cat "$WORK/pdp.log" >&2; exit 1; }
echo "ready (pid $PDP_PID)"

# The same decision as post.lua's OPA input: waiver W-1 for workers, and an
# active profile whose worker is on fast_approx with approximate allowed under
# W-1. Writes need the operator token the server wrote on its first start.
OP=$(python3 -c 'import json,sys; print(next(t["token"] for t in json.load(open(sys.argv[1]))["tokens"] if t["name"] == "operator"))' \
  "$DATA/tokens.json")
# A waiver must expire in the future (else 422): now + 30 days.
EXPIRES=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
sed "s/@EXPIRES_AT@/$EXPIRES/" "$HERE/pdp-waiver.json" >"$WORK/pdp-waiver.json"
call() {   # call METHOD PATH [BODY_FILE]: operator call that must answer 2xx
  local args=(-sS -o "$WORK/answer.json" -w '%{http_code}' -X "$1" -H "authorization: Bearer $OP")
  [ $# -ge 3 ] && args+=(-H 'content-type: application/json' --data-binary @"$3")
  local code
  code=$(curl "${args[@]}" "$PDP$2")
  case "$code" in 2??) ;; *) echo "$1 $2 answered $code: $(cat "$WORK/answer.json")" >&2; exit 1 ;; esac
}
call POST /v1/waivers "$WORK/pdp-waiver.json"
call PUT /v1/profiles/bench-fast "$HERE/pdp-profile.json"
call POST /v1/profiles/bench-fast/activate
echo "setup ok: waiver W-1 (expires $EXPIRES), profile bench-fast active"

# post.lua sends a fixed body: one trace_id for every decision. The PDP still
# records each decision (and its rule firings) durably before answering.
BODY=$HERE/pdp-body.json
got=$(curl -fsS -X POST -H 'content-type: application/json' --data-binary @"$BODY" "$PDP/v1/decisions")
echo "$got" | python3 -c '
import json, sys
a = json.load(sys.stdin)
if (a.get("mode"), a.get("exactness"), a.get("waiver_ref")) != ("layer_skip", "approximate", "W-1"):
    sys.exit("unexpected PDP decision: mode=%s exactness=%s waiver_ref=%s reasons=%s"
             % (a.get("mode"), a.get("exactness"), a.get("waiver_ref"), a.get("reason_codes")))
print("decision check ok: mode=%s exactness=%s downgraded=%s waiver_ref=%s reason_codes=%s"
      % (a["mode"], a["exactness"], a.get("downgraded"), a["waiver_ref"], a.get("reason_codes")))'

# Heap in use right after a full GC (live data, not garbage not yet collected).
# Sums the "used" of each heap line of GC.heap_info (G1: one line; others: one per generation).
heap_mb() {
  command -v jcmd >/dev/null && jcmd "$PDP_PID" GC.run >/dev/null || { echo n/a; return; }
  jcmd "$PDP_PID" GC.heap_info | awk '/total [0-9]+K, used [0-9]+K/ {
      for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i+1); sub(/K,?$/, "", v); kb += v } }
    END { printf "%.1f", kb / 1024 }'
}
HEAP_BEFORE=$(heap_mb)
echo "heap in use after GC, before load: $HEAP_BEFORE MB"

export BODY_FILE=$BODY POST_PATH=/v1/decisions
# The cold figure: the first DURATION after ready, JIT and caches still cold.
run_wrk pdp-cold "$DURATION" "$PDP/"
echo "first $(human "$DURATION") after ready:"; show pdp-cold
run_wrk pdp-warmup "$WARMUP" "$PDP/"
run_wrk pdp "$DURATION" "$PDP/"
echo "steady ($DURATION after $WARMUP warm-up):"; show pdp
SOAK_HEAPS=""
if [ "${SOAK_MINUTES:-0}" -gt 0 ]; then
  echo "soak: $SOAK_MINUTES one-minute runs; after each, the heap in use after a full GC and the data dir"
  for minute in $(seq 1 "$SOAK_MINUTES"); do
    run_wrk "soak-$minute" 60s "$PDP/"
    heap=$(heap_mb)
    SOAK_HEAPS="$SOAK_HEAPS $heap"
    printf '  minute %2d: req/s %s, p99 %s, heap %s MB, data dir %s KiB\n' "$minute" "$(rps "soak-$minute")" \
      "$(pct "soak-$minute" 99%)" "$heap" "$(du -sk "$DATA" | cut -f1)"
  done
fi
unset BODY_FILE POST_PATH

HEAP_AFTER=$(heap_mb)
# Every answered decision was committed first, so the counter of answered
# decisions is the count of llm_exec_policy records (the check one included).
DECISIONS=$(curl -fsS "$PDP/metrics" | awk '/^pdp_decisions_total\{/ {s += $NF} END {printf "%d", s}')
WRK_2XX=$(( $(reqs pdp-cold) - $(non2xx pdp-cold) + $(reqs pdp-warmup) - $(non2xx pdp-warmup) \
  + $(reqs pdp) - $(non2xx pdp) + 1 ))
for minute in $(seq 1 "${SOAK_MINUTES:-0}"); do
  WRK_2XX=$(( WRK_2XX + $(reqs "soak-$minute") - $(non2xx "soak-$minute") ))
done
DATA_KB_RUNNING=$(du -sk "$DATA" | cut -f1)
stop_pid "$PDP_PID" pdp 60; PDP_PID=""
# After SIGTERM the store is closed (and may have compacted): the size that stays.
DATA_KB=$(du -sk "$DATA" | cut -f1)
BPD=$(( DECISIONS > 0 ? DATA_KB * 1024 / DECISIONS : 0 ))
echo "heap in use after GC, after load: $HEAP_AFTER MB"
# wrk counts only the answers it read before it stopped: the up to CONNECTIONS
# requests in flight at the end of each of its 3 runs were decided all the same.
echo "decisions recorded: $DECISIONS (pdp_decisions_total; wrk counted $WRK_2XX 2xx with the check," \
  "+ up to $((3 * CONNECTIONS)) in flight when its runs ended)"
echo "data dir: $DATA_KB KiB after stop ($DATA_KB_RUNNING KiB while running) = $BPD bytes/decision"
echo

# ------------------------------------------------------------ summary ---
RATIO=$(awk -v p="$(rps pdp)" -v o="$(rps opa)" 'BEGIN { if (o > 0) printf "%.2f", p / o; else print "n/a" }')
echo "=== summary: $WRK_DESC, $DURATION each"
printf '%-34s %10s %10s %10s %8s\n' run req/s p50 p99 non-2xx
printf '%-34s %10s %10s %10s %8s\n' "OPA $OPA_VERSION, steady" "$(rps opa)" "$(pct opa 50%)" "$(pct opa 99%)" "$(non2xx opa)"
printf '%-34s %10s %10s %10s %8s\n' "PDP, first $(human "$DURATION") after ready" "$(rps pdp-cold)" \
  "$(pct pdp-cold 50%)" "$(pct pdp-cold 99%)" "$(non2xx pdp-cold)"
printf '%-34s %10s %10s %10s %8s\n' "PDP, steady" "$(rps pdp)" "$(pct pdp 50%)" "$(pct pdp 99%)" "$(non2xx pdp)"
echo "PDP/OPA req/s (steady): $RATIO"
echo "PDP first $(human "$DURATION") after ready / steady: $(awk -v c="$(rps pdp-cold)" -v s="$(rps pdp)" \
  'BEGIN { if (s > 0) printf "%d%%", 100 * c / s; else print "n/a" }')"
[ -n "$SOAK_HEAPS" ] && echo "PDP heap after GC over the soak (MB, one per minute):$SOAK_HEAPS"
echo "PDP: $DECISIONS decisions recorded, $BPD bytes/decision on disk ($DATA_KB KiB), heap after GC $HEAP_BEFORE MB before / $HEAP_AFTER MB after load"
