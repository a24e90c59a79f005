#!/usr/bin/env bash
# Starts two local PDP nodes on one PostgreSQL database (SPEC 7), for trying
# several nodes on one machine:
#   scripts/two-nodes.sh 'jdbc:postgresql://127.0.0.1:5432/pdp?user=pdp'
# The password, if the database needs one, comes from PDP_DATABASE_PASSWORD.
# Node a listens on 8081 (data in ./nodes/a), node b on 8082 (./nodes/b); both
# read the token file ./nodes/tokens.json (written by the first node to start).
# Ctrl-C (or SIGTERM) stops both; each flushes its recorder first.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE="${1:?usage: $0 jdbc:postgresql://HOST:PORT/DB?user=U}"
JAR=target/pdp.jar
if [ ! -f "$JAR" ]; then
    mvn -B -q -DskipTests package
fi
mkdir -p nodes
pids=()
stop() {
    for pid in "${pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    wait
}
trap stop INT TERM EXIT
# node a first, until it listens: it runs the migrations and writes the shared token file
java -jar "$JAR" serve --database "$DATABASE" --node-id node-a --data nodes/a --tokens nodes/tokens.json \
    --port 8081 > nodes/a.log 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
    grep -q "listening on" nodes/a.log && break
    sleep 0.5
done
grep -q "listening on" nodes/a.log || { echo "node a did not start; see nodes/a.log" >&2; exit 1; }
java -jar "$JAR" serve --database "$DATABASE" --node-id node-b --data nodes/b --tokens nodes/tokens.json \
    --port 8082 > nodes/b.log 2>&1 &
pids+=($!)
echo "node a: http://127.0.0.1:8081 (log nodes/a.log)"
echo "node b: http://127.0.0.1:8082 (log nodes/b.log)"
echo "tokens: nodes/tokens.json; Ctrl-C stops both"
wait
