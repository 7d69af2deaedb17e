#!/usr/bin/env bash
# The cash-register sample on a real cluster: three JVMs on loopback, one shared PostgreSQL.
# The nodes form their cluster through Akka Management's Cluster Bootstrap: no seed node is
# configured; each knows only the three Akka Management endpoints (config discovery), asks them
# who is in the cluster, and the node with the lowest address forms it once all three answered.
# It shows which node owns which keys, kills one node with kill -9, and shows its keys served by
# the two others with their versions and values intact, without any new import.
#
#   bash samples/cluster-demo.sh
#
# Needs what the README's commands need (a JDK 17 and Maven). Logs go to target/cluster-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/cluster-demo
# A database JVM left by an interrupted run, by the pid it recorded (its shutdown hook stops PostgreSQL).
if [ -f "$out/postgres.jvm.pid" ]; then
  kill "$(cat "$out/postgres.jvm.pid")" 2>/dev/null || true
  sleep 2
fi
rm -rf "$out"
mkdir -p "$out"
mvn -q test-compile dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=test
cp="target/test-classes:target/classes:$(cat "$out/classpath.txt")"
pg_port=${PG_PORT:-54329}
pids=()
cleanup() {
  for pid in "${pids[@]:1}"; do kill -9 "$pid" 2>/dev/null || true; done
  # The database JVM gets a TERM: its shutdown hook stops PostgreSQL.
  kill "${pids[0]}" 2>/dev/null && wait "${pids[0]}" 2>/dev/null || true
}
trap cleanup EXIT

wait_for() { # file, pattern, seconds
  for _ in $(seq 1 "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 1; done
  echo "gave up waiting for '$2' in $1"; tail -20 "$1"; exit 1
}

# The shared database's password: made up per run, known only to this script's processes.
KCK_DB_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
export KCK_DB_PASSWORD
echo "== Starting a shared PostgreSQL on port $pg_port"
java -cp "$cp" io.kck.samples.cashregister.SharedPostgres "$pg_port" "$out/postgres" > "$out/postgres.log" 2>&1 &
pids+=($!)
echo "$!" > "$out/postgres.jvm.pid"
wait_for "$out/postgres.log" "PostgreSQL ready" 60

export KCK_DB_URL="jdbc:postgresql://127.0.0.1:$pg_port/postgres" KCK_DB_USER=postgres
# Cluster traffic runs over mutual TLS (conf/application.conf): one certificate for the three nodes.
echo "== Making the nodes' certificate (keytool) in $out/tls"
eval "$(java -cp "$cp" io.kck.samples.cashregister.NodeCertificates "$out/tls" | sed 's/^/export /')"
# Akka Management's endpoints (Cluster Bootstrap's contact points, and the /ready and /alive probes).
contact_points=127.0.0.1:8558,127.0.0.1:8559,127.0.0.1:8560
echo "== Starting three nodes (ports 25521-25523), with no seed nodes: Cluster Bootstrap, contact points $contact_points"
echo "   node 25521 also reads the 12 registers' sales"
java -cp "$cp" io.kck.samples.cashregister.ClusterNode 25521 bootstrap 8558 "$contact_points" driver > "$out/node-25521.log" 2>&1 &
pids+=($!)
# The two others start once the first has created KCK's tables in the empty database (nodes that
# create them at the same moment can collide in PostgreSQL). The first waits for all three
# contact points before anyone forms the cluster, so this decides nothing about who forms it.
wait_for "$out/node-25521.log" "KCK started" 120
java -cp "$cp" io.kck.samples.cashregister.ClusterNode 25522 bootstrap 8559 "$contact_points" > "$out/node-25522.log" 2>&1 &
pids+=($!)
java -cp "$cp" io.kck.samples.cashregister.ClusterNode 25523 bootstrap 8560 "$contact_points" > "$out/node-25523.log" 2>&1 &
pids+=($!)
victim=${pids[3]}
wait_for "$out/node-25521.log" "read 12 registers" 120
sleep 3 # one more report from every node
echo "== How each node joined"
for port in 25521 25522 25523; do grep "Up through Cluster Bootstrap" "$out/node-$port.log" | head -1; done
echo "== The probes a deployment would use (Akka Management's /ready includes KCK's checks)"
for management in 8558 8559 8560; do
  command -v curl >/dev/null || { echo "   (curl is not installed: skipped)"; break; }
  echo "   127.0.0.1:$management /ready: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management/ready")," \
    "/alive: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management/alive")"
done

echo "== A fourth node with a certificate of its own tries to join"
(
  eval "$(java -cp "$cp" io.kck.samples.cashregister.NodeCertificates "$out/tls-intruder" | sed 's/^/export /')"
  exec java -cp "$cp" io.kck.samples.cashregister.ClusterNode 25524 bootstrap 8561 "$contact_points" > "$out/node-25524.log" 2>&1
) &
pids+=($!)
intruder=$!
wait_for "$out/node-25524.log" "KCK started" 90
sleep 15 # it probes the contact points, learns the members and tries to join them
kill -9 "$intruder" 2>/dev/null || true
echo "   members the driver reports: $(grep -o '[0-9] node(s) up' "$out/node-25521.log" | tail -1)"
intruder_up=$(grep -o '[0-9] node(s) up' "$out/node-25524.log" | tail -1 || true)
if [ "${intruder_up%% *}" = 0 ]; then
  echo "   the fourth node, after 15 s: never a member ($intruder_up)"
else
  echo "   the fourth node, after 15 s: ${intruder_up:-no report}"
fi
echo "   it learned the members from the contact points and tried to join them:" \
  "$(grep -c "Couldn't join seed nodes" "$out/node-25524.log" || true) failed attempt(s);" \
  "$(grep -o 'SSLHandshakeException: [A-Za-z ]*' "$out/node-25524.log" | head -1 || true)"

echo "== Who owns what (every key is one actor, on one node)"
for port in 25521 25522 25523; do grep "owns" "$out/node-$port.log" | tail -1; done
echo "== What the driver read"
grep "read 12 registers" "$out/node-25521.log" | tail -1

echo "== kill -9 node 25523"
lines=$(wc -l < "$out/node-25521.log")
kill -9 "$victim"
# The split-brain resolver downs the dead node after stable-after (5 s here); its keys move and
# load from PostgreSQL on the survivors. Meanwhile reads of its keys fail after 5 s.
since_kill() { tail -n +"$((lines + 1))" "$out/node-25521.log"; }
for _ in $(seq 1 120); do
  if since_kill | grep -q "2 node(s) up" && since_kill | grep "2 node(s) up" -A5 | grep -q "read 12 registers"; then
    break
  fi
  sleep 1
done
echo "== Meanwhile (reads of the dead node's keys, before it was downed)"
since_kill | grep "unavailable" | head -1 || echo "   (none failed)"
echo "== After the crash: the survivors own every key, read back from PostgreSQL, imports unchanged"
sleep 2
for port in 25521 25522; do grep "owns" "$out/node-$port.log" | tail -1; done
echo "== What the driver reads now (same versions and totals as before the crash)"
grep "read 12 registers" "$out/node-25521.log" | tail -1
