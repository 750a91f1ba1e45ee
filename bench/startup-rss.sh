#!/usr/bin/env bash
# Used for the route-json section of RESULTS.md: run from the project root; ROUTES/CONNECTORS pick other folders.
# usage: [ROUTES=.. CONNECTORS=..] startup.sh <jar> <label>; one run from the cwd: wall ms to health UP, CPU ms at UP, VmRSS
jar=$1; label=$2
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("",0));print(s.getsockname()[1])')
data=$(mktemp -d /tmp/kitbench/data.XXXX)
start=$(date +%s%N)
JUNCTION_ROUTES_DIR=${ROUTES:-routes} JUNCTION_CONNECTORS_DIR=${CONNECTORS:-connectors} \
JUNCTION_OPS_API_KEY=x SERVER_PORT=$port JUNCTION_DATA_DIR=$data java -jar "$jar" > /tmp/kitbench/$label.log 2>&1 &
pid=$!
until curl -fsS http://localhost:$port/actuator/health 2>/dev/null | grep -q '"UP"'; do
  if ! kill -0 $pid 2>/dev/null; then echo "$label died"; exit 1; fi
  sleep 0.05
done
end=$(date +%s%N)
rss=$(grep VmRSS /proc/$pid/status | awk '{print $2}')
cpu=$(awk '{print ($14+$15)*10}' /proc/$pid/stat)
echo "$label startup_ms=$(( (end-start)/1000000 )) cpu_ms=$cpu rss_kb=$rss load=$(cut -d' ' -f1 /proc/loadavg)"
kill $pid; wait $pid 2>/dev/null
rm -rf $data
