#!/usr/bin/env bash
# Where the hub's CPU goes under intake load, over time: one long closed-loop wrk run (50 connections, 1 KiB bodies,
# one bench partner) against a fresh hub on H2, and every WINDOW seconds the CPU of each thread group (Tomcat request
# threads, journal writer, delivery poller, outcome writer, lane threads, JIT compilers, GC) per accepted request,
# with the appends/s and delivery outcomes/s of that window. bench/ANALYSIS.md quotes it.
#
#   bench/profile.sh                    # builds nothing: uses target/junction.jar; 120 s
#   SECONDS_TOTAL=90 WINDOW=15 HUB_JAVA_OPTS="-Xmx256m -XX:StartFlightRecording=delay=60s,duration=20s,filename=/tmp/hub.jfr" bench/profile.sh
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_TOTAL=${SECONDS_TOTAL:-120}
WINDOW=${WINDOW:-15}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx256m}
OPS_KEY=bench-ops-key-9b3e61d0
W=$(mktemp -d /tmp/jx-profile.XXXXXX)
PID=""
trap '[ -z "$PID" ] || kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
mkdir -p "$W/data"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK=$W
CONNECTORS=$(partners_dir 1)   # the bench-only partner of bench/intake.sh: bench-1, key bench-key-1
PORT=$((18000 + RANDOM % 1000))
# shellcheck disable=SC2086  # a list of JVM options
JUNCTION_CONNECTORS_DIR="$CONNECTORS" JUNCTION_ROUTES_DIR="$ROOT/bench/routes" JUNCTION_DATA_DIR="$W/data" SERVER_PORT=$PORT \
    JUNCTION_OPS_API_KEY=$OPS_KEY java $HUB_JAVA_OPTS -jar "$ROOT/target/junction.jar" >"$W/hub.log" 2>&1 &
PID=$!
for _ in $(seq 1 240); do curl -fsS "http://127.0.0.1:$PORT/actuator/health" 2>/dev/null | grep -q UP && break; sleep 0.5; done

metric() {  # name statistic
    curl -fsS -H "X-API-Key: $OPS_KEY" "http://127.0.0.1:$PORT/actuator/metrics/$1" |
        grep -o "\"statistic\":\"$2\",\"value\":[0-9.E]*" | sed 's/.*://' | awk '{ printf "%d", $1 }'
}
# CPU ticks per thread group: thread names without their numbers.
threads() {
    local task
    for task in /proc/"$PID"/task/*; do
        printf '%s %s\n' "$(tr ' ' _ <"$task/comm" | sed -E 's/[-#_]?[0-9]+$//; s/-[0-9]+-.*$//')" \
            "$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$task/stat")"
    done 2>/dev/null
}

BENCH_PARTNERS=1 BENCH_BODY_BYTES=1024 BENCH_RUN_ID=profile-$RANDOM wrk -t2 -c50 -d"${SECONDS_TOTAL}s" --timeout 10s --latency \
    -s "$ROOT/bench/intake.lua" "http://127.0.0.1:$PORT" >"$W/wrk.txt" 2>&1 &
WRK=$!
threads >"$W/t0"; a0=$(metric junction.journal.appends COUNT); d0=$(metric junction.delivery.outcome.batch.size TOTAL); t=0
while kill -0 "$WRK" 2>/dev/null; do
    sleep "$WINDOW"; t=$((t + WINDOW))
    threads >"$W/t1"; a1=$(metric junction.journal.appends COUNT); d1=$(metric junction.delivery.outcome.batch.size TOTAL)
    echo "t=${t}s appends/s $(((a1 - a0) / WINDOW)) outcomes/s $(((d1 - d0) / WINDOW))  (CPU ms per append, by thread group)"
    awk -v n=$((a1 - a0)) -v hz="$(getconf CLK_TCK)" 'NR == FNR { a[$1] += $2; next } { b[$1] += $2 }
        END { for (k in b) if (b[k] - a[k] > 0 && n > 0) printf "    %-22s %.3f\n", k, (b[k] - a[k]) * 1000 / hz / n }' "$W/t0" "$W/t1" |
        sort -k2 -nr | head -8
    mv "$W/t1" "$W/t0"; a0=$a1; d0=$d1
done
grep WRK_RESULT "$W/wrk.txt" || cat "$W/wrk.txt"
