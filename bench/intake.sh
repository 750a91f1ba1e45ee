#!/usr/bin/env bash
# Intake benchmark (issue 2): durable webhook intake at 50 connections with 1 KiB bodies, on H2 and PostgreSQL,
# next to the baselines measured in the same session: the raw single-row commit rate of each database
# (bench/RawCommit.java) and nginx `return 202` (the HTTP ceiling of this machine).
#
#   bench/intake.sh                      # from anywhere; runs from the project root
#   ROUNDS=5 DURATION=20 bench/intake.sh
#   SKIP_BUILD=1 SCENARIOS="raw-pg hub-pg@1 hub-pg@2 hub-pg@4" RESULTS_FILE=/tmp/sweep.md bench/intake.sh
#
# Settings (environment):
#   ROUNDS=3            rounds; every round runs every scenario once, in a rotated order (interleaved)
#   DURATION=10         seconds of each measured wrk run (and of each raw single-row commit run, RAW_SECONDS)
#   WARMUP=5            seconds of wrk warm-up against each freshly started hub (2 s for nginx); not recorded
#   THREADS=2 CONNECTIONS=50   wrk -t / -c
#   WRK_TIMEOUT=10      wrk --timeout in seconds: wrk leaves slower responses out of its latency histogram (counting them as
#                       timeouts), so it must exceed the hub's own 5 s append timeout for p99 to be honest
#   RAW_SECONDS=$DURATION RAW_BATCH_SECONDS=3   raw single-row run, then the 100-rows-per-commit extra baseline (0: skip)
#   H2_WRITER_THREADS=1 PG_WRITER_THREADS=1     JUNCTION_JOURNAL_WRITER_THREADS of hub-h2 / hub-pg
#   SCENARIOS="nginx raw-h2 raw-pg hub-h2 hub-pg"  hub-h2@N / hub-pg@N run the hub with N journal writer threads
#   RESULTS_FILE=bench/RESULTS.md   the intake section between <!-- intake:start --> and <!-- intake:end --> is replaced
#                       (or appended); the rest of the file is left alone. Raw figures go to bench/RESULTS.intake.tsv
#   SKIP_BUILD=1        use the existing target/junction.jar
#   PG_PORT=55432       port of the private PostgreSQL cluster (a free one is picked if it is taken)
#   STARTUP_TIMEOUT=180 seconds to wait for the hub's /actuator/health to answer UP
#   HUB_JAVA_OPTS=      extra JVM options for the hub
#   KEEP_WORK=1         keep the temp dir (logs, wrk output, data) for inspection
#   QUIET_WAIT=0        on a shared machine: before each scenario wait up to this many seconds for other tenants' CPU
#   QUIET_BELOW=30      use to drop below this percentage (it is recorded as background_cpu either way)
#
# Needs root (or sudo) only to apt-get install wrk, nginx and postgresql when missing. Everything else runs in a
# temp dir and talks to 127.0.0.1 only; the trap stops every nginx, PostgreSQL and hub process it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
RAW_SECONDS=${RAW_SECONDS:-$DURATION}
RAW_BATCH_SECONDS=${RAW_BATCH_SECONDS:-3}
H2_WRITER_THREADS=${H2_WRITER_THREADS:-1}
PG_WRITER_THREADS=${PG_WRITER_THREADS:-1}
SCENARIOS=${SCENARIOS:-nginx raw-h2 raw-pg hub-h2 hub-pg}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
SKIP_BUILD=${SKIP_BUILD:-0}
PG_PORT=${PG_PORT:-55432}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS:-}
KEEP_WORK=${KEEP_WORK:-0}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_BELOW=${QUIET_BELOW:-30}

# Bench-only credentials: bench/connectors/bench.yaml holds the SHA-256 of BENCH_KEY. Never reuse them elsewhere.
BENCH_KEY=bench-key-5f0c2a9e7d13
OPS_KEY=bench-ops-key-9b3e61d0
PG_PASS=bench-pg-pass
TARGET_P99_MS=50
TARGET_RAW_RATIO=1.0

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

WORK=""
HUB_PID=""
NGINX_PID=""
PG_STARTED=0
PG_BIN=""
PG_DATA=""
PG_SOCK=""

cleanup() {
    local rc=$?
    set +e
    trap - ERR
    [ -n "$HUB_PID" ] && stop_pid "$HUB_PID" 30
    [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID" 10
    if [ "$PG_STARTED" = 1 ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
            || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1
    fi
    if [ -n "$WORK" ]; then
        if [ "$KEEP_WORK" = 1 ] || [ "$rc" != 0 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "error: line $LINENO: $BASH_COMMAND exited with $?"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops one process we started: TERM, then KILL after the grace period.
stop_pid() {
    local pid=$1 grace=$2 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# PostgreSQL refuses to run as root: as root, use the postgres account the Debian package creates.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------
install_missing() {
    local -a pkgs=()
    command -v wrk >/dev/null || pkgs+=(wrk)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || pkgs+=(nginx)
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || pkgs+=(postgresql)
    command -v curl >/dev/null || pkgs+=(curl)
    command -v java >/dev/null || pkgs+=(openjdk-17-jdk-headless)
    command -v unzip >/dev/null || command -v jar >/dev/null || pkgs+=(unzip)
    if [ ${#pkgs[@]} -gt 0 ]; then
        log "installing ${pkgs[*]} with apt-get"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
    fi
    NGINX=$(command -v nginx || echo /usr/sbin/nginx)
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL binaries under /usr/lib/postgresql"
    if [ "$(id -u)" = 0 ]; then id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (it comes with the postgresql package)"; fi
}

build() {
    if [ "$SKIP_BUILD" = 1 ]; then
        log "SKIP_BUILD=1: using the existing target/junction.jar"
    else
        log "building target/junction.jar (./mvnw -q -B package -DskipTests)"
        ./mvnw -q -B package -DskipTests
    fi
    [ -f target/junction.jar ] || die "target/junction.jar is missing"
}

# The JDBC drivers for RawCommit: exactly the versions the hub ships, taken from its jar.
extract_drivers() {
    local dir="$WORK/drivers" entries
    mkdir -p "$dir"
    entries=$(unzip -Z1 target/junction.jar 2>/dev/null || jar tf target/junction.jar)
    H2_JAR_ENTRY=$(grep -E '^BOOT-INF/lib/h2-[0-9][^/]*\.jar$' <<<"$entries" | head -1)
    PG_JAR_ENTRY=$(grep -E '^BOOT-INF/lib/postgresql-[0-9][^/]*\.jar$' <<<"$entries" | head -1)
    [ -n "$H2_JAR_ENTRY" ] && [ -n "$PG_JAR_ENTRY" ] || die "cannot find the H2 and PostgreSQL drivers in target/junction.jar"
    if command -v unzip >/dev/null; then
        unzip -q -o -j target/junction.jar "$H2_JAR_ENTRY" "$PG_JAR_ENTRY" -d "$dir"
    else
        (cd "$dir" && jar xf "$ROOT/target/junction.jar" "$H2_JAR_ENTRY" "$PG_JAR_ENTRY" && mv BOOT-INF/lib/*.jar .)
    fi
    RAW_CP="$dir/$(basename "$H2_JAR_ENTRY"):$dir/$(basename "$PG_JAR_ENTRY")"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A free port below the ephemeral range, so that no outgoing connection (wrk, JDBC, curl) can hold it meanwhile.
free_port() {
    local p i low
    low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 12000 ] || low=32768
    for ((i = 0; i < 500; i++)); do
        p=$((10000 + RANDOM % (low - 10000)))
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# ---------------------------------------------------------------------------------------------------------------
# PostgreSQL: a private cluster with the stock durability settings (fsync=on, synchronous_commit=on).
# ---------------------------------------------------------------------------------------------------------------
start_pg() {
    local dir="$WORK/pg"
    PG_DATA="$dir/data"
    PG_SOCK="$dir"
    mkdir -p "$dir"
    printf '%s\n' "$PG_PASS" >"$dir/pwfile"
    if [ "$(id -u)" = 0 ]; then chown -R postgres: "$dir"; fi
    port_in_use "$PG_PORT" && PG_PORT=$(free_port)
    log "PostgreSQL: initdb in $PG_DATA, port $PG_PORT ($PG_BIN)"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        --pwfile="$dir/pwfile" -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb"; }
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$dir/server.log" -w -t 120 \
        -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1" start >/dev/null \
        || { tail -20 "$dir/server.log" >&2; die "pg_ctl start"; }
    PG_STARTED=1
    psql_admin -c "CREATE ROLE junction LOGIN PASSWORD '$PG_PASS'"
    psql_admin -c "CREATE DATABASE raw OWNER junction"
    PG_SETTINGS=$(psql_admin -c "SELECT 'PostgreSQL ' || current_setting('server_version') || '; fsync=' || current_setting('fsync')
        || ', synchronous_commit=' || current_setting('synchronous_commit') || ', wal_sync_method=' || current_setting('wal_sync_method')
        || ', full_page_writes=' || current_setting('full_page_writes') || ', shared_buffers=' || current_setting('shared_buffers')")
}

psql_admin() { as_pg env PGOPTIONS=--client-min-messages=warning "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtX "$@"; }

fresh_hub_database() {
    psql_admin -c "DROP DATABASE IF EXISTS junction WITH (FORCE)"
    psql_admin -c "CREATE DATABASE junction OWNER junction"
    psql_admin -c "CHECKPOINT"
}

# ---------------------------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------------------------
RESULTS_TSV=""   # round, scenario, value, p50 ms, p99 ms, errors, details

BG_CPU=-         # machine CPU busy in the second before the current scenario, while none of our processes ran
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s;background_cpu=%s%%\n' "$@" "$BG_CPU" >>"$RESULTS_TSV"; }

kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }
us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f\n", u / 1000 }'; }

cpu_sample() { awk '/^cpu / { idle = $5 + $6; t = 0; for (i = 2; i <= NF; i++) t += $i; print t, idle }' /proc/stat; }
machine_busy_pct() {  # "<total> <idle>" before, after
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); dt = y[1] - x[1]; di = y[2] - x[2];
        printf "%.0f", (dt > 0 ? 100 * (1 - di / dt) : 0) }'
}
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# wrk against a URL with the intake request (1 KiB JSON, unique Idempotency-Key, X-API-Key); prints the WRK_RESULT line.
run_wrk() {
    local url=$1 seconds=$2 out=$3
    BENCH_API_KEY=$BENCH_KEY BENCH_RUN_ID="$(basename "$out" .txt)-$RANDOM$RANDOM" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout "${WRK_TIMEOUT}s" --latency -s "$BENCH/intake.lua" "$url" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk $url"; }
    grep '^WRK_RESULT' "$out" || { cat "$out" >&2; die "wrk printed no result"; }
}

record_wrk() {  # round scenario result details
    local errors details=$4 k
    errors=$(($(kv "$3" status_errors) + $(kv "$3" connect_errors) + $(kv "$3" read_errors) + $(kv "$3" write_errors) + $(kv "$3" timeouts)))
    if [ "$errors" != 0 ]; then
        for k in status_errors connect_errors read_errors write_errors timeouts; do
            [ "$(kv "$3" "$k")" = 0 ] || details="$details;$k=$(kv "$3" "$k")"
        done
        log "WARNING: $2 round $1: $errors errors (status_errors = non-2xx/3xx responses; timeouts = slower than ${WRK_TIMEOUT}s)"
    fi
    record "$1" "$2" "$(kv "$3" rps)" "$(us_to_ms "$(kv "$3" p50_us)")" "$(us_to_ms "$(kv "$3" p99_us)")" "$errors" "$details"
}

scenario_nginx() {
    local round=$1 dir=$2 port conf before after res i
    port=$(free_port)
    mkdir -p "$dir/nginx"
    conf="$dir/nginx/nginx.conf"
    cat >"$conf" <<EOF
daemon off;
worker_processes 2;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/nginx/body;
    proxy_temp_path $dir/nginx/proxy;
    fastcgi_temp_path $dir/nginx/fastcgi;
    uwsgi_temp_path $dir/nginx/uwsgi;
    scgi_temp_path $dir/nginx/scgi;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$port;
        location / { return 202; }
    }
}
EOF
    "$NGINX" -p "$dir/nginx" -c "$conf" -e "$dir/nginx/error.log" &
    NGINX_PID=$!
    for ((i = 0; i < 100; i++)); do
        curl -fsS -o /dev/null -X POST "http://127.0.0.1:$port/" 2>/dev/null && break
        kill -0 "$NGINX_PID" 2>/dev/null || { cat "$dir/nginx/error.log" >&2; die "nginx did not start"; }
        sleep 0.1
    done
    run_wrk "http://127.0.0.1:$port/webhooks/bench/order-created" 2 "$dir/warmup.txt" >/dev/null
    before=$(cpu_sample)
    res=$(run_wrk "http://127.0.0.1:$port/webhooks/bench/order-created" "$DURATION" "$dir/wrk.txt")
    after=$(cpu_sample)
    stop_pid "$NGINX_PID" 10
    NGINX_PID=""
    record_wrk "$round" nginx "$res" "machine_cpu=$(machine_busy_pct "$before" "$after")%"
}

scenario_raw() {
    local round=$1 db=$2 dir=$3 url user pass out before after single rows commits
    if [ "$db" = h2 ]; then
        url="jdbc:h2:file:$dir/raw;WRITE_DELAY=0"; user=sa; pass=""
    else
        url="jdbc:postgresql://127.0.0.1:$PG_PORT/raw"; user=junction; pass=$PG_PASS
        psql_admin -c "CHECKPOINT"
    fi
    out="$dir/raw.txt"
    before=$(cpu_sample)
    java -cp "$RAW_CP" "$BENCH/RawCommit.java" "$url" "$user" "$pass" "$RAW_SECONDS" "$RAW_BATCH_SECONDS" >"$out" 2>&1 \
        || { cat "$out" >&2; die "RawCommit on $db"; }
    after=$(cpu_sample)
    single=$(awk '$1 == "single_row_commits_per_s" { print $2 }' "$out")
    rows=$(awk '$1 == "batch100_rows_per_s" { print $2 }' "$out")
    commits=$(awk '$1 == "batch100_commits_per_s" { print $2 }' "$out")
    [ -n "$single" ] || { cat "$out" >&2; die "RawCommit printed no rate"; }
    record "$round" "raw-$db" "$single" - - 0 "batch100_rows_per_s=${rows:--};batch100_commits_per_s=${commits:--};machine_cpu=$(machine_busy_pct "$before" "$after")%"
}

# A counter of the hub's; empty when it cannot be read (the details then show 0, the measurement stands).
metric_count() {
    local json i
    for ((i = 0; i < 3; i++)); do
        if json=$(curl -fsS -m 5 -H "X-API-Key: $OPS_KEY" "http://127.0.0.1:$HUB_PORT/actuator/metrics/$1" 2>&1); then
            sed -n 's/.*"statistic":"COUNT","value":\([0-9.eE+-]*\).*/\1/p' <<<"$json" | head -1
            return 0
        fi
        log "reading metric $1 failed ($json); retrying"
        sleep 0.5
    done
}

start_hub() {  # db writers dir
    local db=$1 writers=$2 dir=$3 started i
    local -a envs
    HUB_PORT=$(free_port)
    envs=(JUNCTION_CONNECTORS_DIR="$BENCH/connectors" JUNCTION_ROUTES_DIR="$BENCH/routes" JUNCTION_DATA_DIR="$dir/data"
        SERVER_PORT="$HUB_PORT" JUNCTION_JOURNAL_WRITER_THREADS="$writers" JUNCTION_OPS_API_KEY="$OPS_KEY")
    if [ "$db" = pg ]; then
        fresh_hub_database
        envs+=(SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/junction"
            SPRING_DATASOURCE_USERNAME=junction SPRING_DATASOURCE_PASSWORD="$PG_PASS")
    fi
    started=$(date +%s.%N)
    # shellcheck disable=SC2086  # HUB_JAVA_OPTS is a list of options
    env "${envs[@]}" java $HUB_JAVA_OPTS -jar "$ROOT/target/junction.jar" >"$dir/hub.log" 2>&1 &
    HUB_PID=$!
    for ((i = 0; ; i++)); do
        if curl -fsS -m 2 "http://127.0.0.1:$HUB_PORT/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then break; fi
        kill -0 "$HUB_PID" 2>/dev/null || { tail -40 "$dir/hub.log" >&2; HUB_PID=""; die "the hub exited during startup"; }
        [ "$i" -lt $((STARTUP_TIMEOUT * 4)) ] || { tail -40 "$dir/hub.log" >&2; die "the hub was not UP within ${STARTUP_TIMEOUT}s"; }
        sleep 0.25
    done
    HUB_STARTUP=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
}

# Rows in the journal after the hub stopped: every 202 must be there.
journal_rows() {
    local db=$1 dir=$2
    if [ "$db" = pg ]; then
        as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d junction -qAtX -c "SELECT count(*) FROM message"
    else
        java -cp "$RAW_CP" org.h2.tools.Shell -url "jdbc:h2:file:$dir/data/junction" -user sa \
            -sql "SELECT count(*) AS n FROM message" 2>/dev/null | awk 'NR == 2 { print $1 }'
    fi
}

scenario_hub() {
    local round=$1 db=$2 writers=$3 name=$4 dir=$5 url warm res before after t0 t1 a0 a1 c0 c1 hz rows acked
    start_hub "$db" "$writers" "$dir"
    url="http://127.0.0.1:$HUB_PORT/webhooks/bench/order-created"
    warm=$(run_wrk "$url" "$WARMUP" "$dir/warmup.txt")
    a0=$(metric_count junction.journal.appends); c0=$(metric_count junction.journal.commits)
    before=$(cpu_sample); t0=$(proc_ticks "$HUB_PID")
    res=$(run_wrk "$url" "$DURATION" "$dir/wrk.txt")
    after=$(cpu_sample); t1=$(proc_ticks "$HUB_PID")
    a1=$(metric_count junction.journal.appends); c1=$(metric_count junction.journal.commits)
    hz=$(getconf CLK_TCK)
    stop_pid "$HUB_PID" 30
    HUB_PID=""
    rows=$(journal_rows "$db" "$dir" || true)
    acked=$(($(kv "$warm" requests) + $(kv "$res" requests) - $(kv "$warm" status_errors) - $(kv "$res" status_errors)))
    if [ -n "$rows" ] && [ "$rows" -lt "$acked" ]; then
        log "WARNING: $name round $round: $acked responses were 2xx but the journal holds only $rows rows"
    fi
    record_wrk "$round" "$name" "$res" "$(awk -v a0="${a0:-0}" -v a1="${a1:-0}" -v c0="${c0:-0}" -v c1="${c1:-0}" \
        -v t0="$t0" -v t1="$t1" -v hz="$hz" -v d="$DURATION" -v w="$writers" -v s="$HUB_STARTUP" -v busy="$(machine_busy_pct "$before" "$after")" \
        'BEGIN { n = a1 - a0; c = c1 - c0; printf "writers=%d;commits_per_s=%.0f;avg_batch=%.1f;hub_cpu=%.0f%%;machine_cpu=%s%%;startup_s=%s",
                 w, c / d, (c > 0 ? n / c : 0), 100 * (t1 - t0) / hz / d, busy, s }');rows=${rows:-?};acked=$acked"
}

run_scenario() {  # round scenario
    local round=$1 s=$2 base writers dir
    base=${s%@*}
    dir=$(mktemp -d "$WORK/r$round-${s//@/-w}.XXXX")
    # Other tenants' load, measured while nothing of ours runs (the previous scenario has stopped its processes);
    # with QUIET_WAIT, wait up to that long for it to drop below QUIET_BELOW percent.
    local before waited=0
    while :; do
        before=$(cpu_sample); sleep 1; BG_CPU=$(machine_busy_pct "$before" "$(cpu_sample)")
        [ "$BG_CPU" -ge "$QUIET_BELOW" ] && [ "$waited" -lt "$QUIET_WAIT" ] || break
        [ "$waited" != 0 ] || log "other tenants keep the CPU ${BG_CPU}% busy; waiting up to ${QUIET_WAIT}s for it to drop below ${QUIET_BELOW}%"
        sleep 4; waited=$((waited + 5))
    done
    case "$base" in
        nginx) scenario_nginx "$round" "$dir" ;;
        raw-h2) scenario_raw "$round" h2 "$dir" ;;
        raw-pg) scenario_raw "$round" pg "$dir" ;;
        hub-h2 | hub-pg)
            if [ "$s" != "$base" ]; then writers=${s#*@}; elif [ "$base" = hub-h2 ]; then writers=$H2_WRITER_THREADS; else writers=$PG_WRITER_THREADS; fi
            scenario_hub "$round" "${base#hub-}" "$writers" "$s" "$dir" ;;
        *) die "unknown scenario '$s' (nginx, raw-h2, raw-pg, hub-h2[@N], hub-pg[@N])" ;;
    esac
    rm -rf "$dir/data" "$dir/raw".*.db 2>/dev/null || true
    log "round $round: $(tail -1 "$RESULTS_TSV" | cut -f2-7 | tr '\t' ' ')"
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
median() { { grep -E '^[0-9.eE+-]+$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print ((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
column_of() { awk -F'\t' -v s="$1" -v c="$2" '$2 == s { print $c }' "$RESULTS_TSV"; }
value_in_round() { awk -F'\t' -v s="$1" -v r="$2" '$1 == r && $2 == s { print $3 }' "$RESULTS_TSV"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.3g\n", a / b }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.2f\n", v }'; }
fmt0() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.0f\n", v }'; }
baseline_of() { case "$1" in hub-h2*) echo raw-h2 ;; hub-pg*) echo raw-pg ;; *) echo "" ;; esac; }

# Median value, p50, p99 and the ratios of every scenario: "scenario value p50 p99 x_raw x_raw_paired x_nginx errors".
summarize() {
    local s base v p50 p99 nginx_v xraw paired errs r
    nginx_v=$(column_of nginx 3 | median)
    for s in $SCENARIOS; do
        v=$(column_of "$s" 3 | median)
        p50=$(fmt2 "$(column_of "$s" 4 | median)")
        p99=$(fmt2 "$(column_of "$s" 5 | median)")
        errs=$(column_of "$s" 6 | awk '{ t += $1 } END { print t + 0 }')
        base=$(baseline_of "$s")
        xraw=-; paired=-
        if [ -n "$base" ]; then
            xraw=$(ratio "$v" "$(column_of "$base" 3 | median)")
            # The ratio within each round (same minute, same noise), then its median.
            paired=$(for ((r = 1; r <= ROUNDS; r++)); do ratio "$(value_in_round "$s" "$r")" "$(value_in_round "$base" "$r")"; done | median)
        fi
        case "$s" in raw-*) echo "$s $v - - - - - $errs" ;; *) echo "$s $v $p50 $p99 $xraw $paired $(ratio3 "$v" "$nginx_v") $errs" ;; esac
    done
}

print_table() {
    printf '\n%-12s %14s %10s %10s %14s %14s %10s %7s\n' scenario "median req/s" "p50 ms" "p99 ms" "x raw commit" "(per round)" "x nginx" errors
    while read -r s v p50 p99 xraw paired xng errs; do
        case "$s" in raw-*) printf '%-12s %14s %10s %10s %14s %14s %10s %7s\n' "$s" "$(fmt0 "$v") c/s" - - - - - "$errs" ;;
            *) printf '%-12s %14s %10s %10s %14s %14s %10s %7s\n' "$s" "$(fmt0 "$v")" "$p50" "$p99" "$xraw" "$paired" "$xng" "$errs" ;;
        esac
    done <<<"$SUMMARY"
    echo "(raw-*: single-row commits/s on one connection; x raw commit = hub req/s / raw commits/s of the same database)"
}

verdicts() {
    local s v p50 p99 xraw paired xng errs ok_ratio ok_p99 caveat
    while read -r s v p50 p99 xraw paired xng errs; do
        case "$s" in hub-*) ;; *) continue ;; esac
        ok_ratio=$(awk -v x="$xraw" -v t="$TARGET_RAW_RATIO" 'BEGIN { print ((x != "-" && x + 0 >= t) ? "MET" : "NOT MET") }')
        ok_p99=$(awk -v p="$p99" -v t="$TARGET_P99_MS" 'BEGIN { print ((p != "-" && p + 0 < t) ? "MET" : "NOT MET") }')
        # The baselines are noisy: say so when the paired (per-round) estimate lands on the other side of the target.
        caveat=$(awk -v x="$xraw" -v y="$paired" -v t="$TARGET_RAW_RATIO" 'BEGIN {
            if (x != "-" && y != "-" && ((x + 0 >= t) != (y + 0 >= t)))
                printf " Not robust: the median of the per-round ratios is %sx, on the other side of the target.", y }')
        echo "- **$s**: throughput $(fmt0 "$v") req/s = ${xraw}x the raw single-row commit rate of $(baseline_of "$s") (target >= ${TARGET_RAW_RATIO}x): **$ok_ratio**;$caveat p99 ${p99} ms (target < ${TARGET_P99_MS} ms): **$ok_p99**.$([ "$errs" = 0 ] || echo " $errs errors were counted; see the per-round table.")"
    done <<<"$SUMMARY"
}

# Our section of the results file, between <!-- intake:start --> and <!-- intake:end -->.
section() {
    local cmd s
    cmd="ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP WRK_TIMEOUT=$WRK_TIMEOUT THREADS=$THREADS CONNECTIONS=$CONNECTIONS RAW_SECONDS=$RAW_SECONDS RAW_BATCH_SECONDS=$RAW_BATCH_SECONDS H2_WRITER_THREADS=$H2_WRITER_THREADS PG_WRITER_THREADS=$PG_WRITER_THREADS SCENARIOS=\"$SCENARIOS\" QUIET_WAIT=$QUIET_WAIT QUIET_BELOW=$QUIET_BELOW$([ "$SKIP_BUILD" != 1 ] || echo " SKIP_BUILD=1") bench/intake.sh"
    {
        echo "<!-- intake:start -->"
        echo "## Intake: durable commit vs the raw commit rate and nginx"
        echo
        echo "Issue 2: durable intake, $CONNECTIONS concurrent connections, 1 KiB JSON bodies, on H2 and PostgreSQL, against the"
        echo "raw single-row commit rate of the same database and nginx \`return 202\`, all measured in the same session."
        echo "Targets: hub req/s >= ${TARGET_RAW_RATIO}x the raw single-row commit rate of the same database; p99 < ${TARGET_P99_MS} ms."
        echo
        echo "Written by \`bench/intake.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (session started $SESSION_START); every run's raw figures"
        echo "are also in \`$(basename "$INTAKE_TSV")\` (round, scenario, req/s or commits/s, p50 ms, p99 ms, errors, details)."
        echo
        echo "### Verdict"
        echo
        verdicts
        echo
        echo "### Medians over $ROUNDS interleaved rounds"
        echo
        echo "| scenario | median req/s (raw: commits/s) | p50 ms | p99 ms | x raw commit, same DB (ratio of medians) | x raw commit (median of per-round ratios) | x nginx | errors |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|"
        while read -r s v p50 p99 xraw paired xng errs; do
            echo "| $s | $(fmt0 "$v") | $p50 | $p99 | $xraw | $paired | $xng | $errs |"
        done <<<"$SUMMARY"
        echo
        for s in raw-h2 raw-pg; do
            case " $SCENARIOS " in *" $s "*) ;; *) continue ;; esac
            echo "- Extra baseline, $s with 100 rows per commit (median): $(fmt0 "$(column_of "$s" 7 | sed -n 's/.*batch100_rows_per_s=\([^;]*\).*/\1/p' | median)") rows/s."
        done
        echo
        echo "### Every run"
        echo
        echo "Rounds run every scenario once, each round in a rotated order. Hub details: journal writer threads, journal commits/s"
        echo "and messages per commit during the measured window (from the hub's \`junction.journal.*\` metrics), hub CPU (100% = one core),"
        echo "whole-machine CPU busy (all tenants), hub startup to health UP, journal rows after the hub stopped and the 2xx responses"
        echo "wrk received (warm-up included; rows >= acked means every 202 was committed). Every run: \`machine_cpu\` = whole-machine"
        echo "CPU busy during the measurement (ours and other tenants'), \`background_cpu\` = other tenants' CPU busy just before it."
        echo
        echo "| round | scenario | req/s (raw: commits/s) | p50 ms | p99 ms | errors | details |"
        echo "|---:|---|---:|---:|---:|---:|---|"
        sort -t$'\t' -k1,1n -s "$RESULTS_TSV" | awk -F'\t' '{ d = $7; gsub(/;/, ", ", d); printf "| %s | %s | %.0f | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, d }'
        echo
        echo "### Machine"
        echo
        echo "- CPU: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "- Memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
        echo "- OS: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r); load average at start: $LOAD_START"
        echo "- Java: $(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
        echo "- wrk: $(wrk -v 2>&1 | head -1 | sed 's/ \[.*//' || true); nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //')"
        echo "- Database server: ${PG_SETTINGS:-PostgreSQL not started}; a private cluster on 127.0.0.1:$PG_PORT, data under /tmp, stock settings otherwise"
        echo "- JDBC drivers (from target/junction.jar): $(basename "$H2_JAR_ENTRY"), $(basename "$PG_JAR_ENTRY")"
        echo "- Filesystem of the data dirs: $(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')"
        echo "- The machine is shared: other processes (builds, tests) may run during the benchmark, hence interleaved rounds and medians."
        echo "  CPU busy from other tenants, sampled for 1 s before each scenario while none of ours ran (\`background_cpu\`):"
        echo "  median $(sed -n 's/.*background_cpu=\([0-9]*\)%.*/\1/p' "$RESULTS_TSV" | median)%, range $(sed -n 's/.*background_cpu=\([0-9]*\)%.*/\1/p' "$RESULTS_TSV" | sort -n | sed -n '1p;$p' | paste -sd- -)%."
        echo
        echo "### How to reproduce"
        echo
        echo '```'
        echo "$cmd"
        echo '```'
        echo
        echo "What each scenario runs (ports are picked free at run time):"
        echo
        echo "- \`nginx\`: \`nginx -p <tmp> -c <tmp>/nginx.conf\` in the foreground, \`worker_processes 2\`, \`location / { return 202; }\`,"
        echo "  then the same wrk command as the hub (2 s warm-up)."
        echo "- \`raw-h2\` / \`raw-pg\`: \`java -cp <h2.jar>:<postgresql.jar> bench/RawCommit.java <url> <user> <password> $RAW_SECONDS $RAW_BATCH_SECONDS\`"
        echo "  with \`jdbc:h2:file:<fresh tmp dir>/raw;WRITE_DELAY=0\` (the hub's embedded default options) or \`jdbc:postgresql://127.0.0.1:<port>/raw\`:"
        echo "  one connection, INSERT one row (36-char id, 1 KiB payload, timestamptz) + COMMIT in a loop after 1 s of warm-up; then 100 rows per commit."
        echo "- \`hub-h2\` / \`hub-pg\`: \`java -jar target/junction.jar\` from the project root with \`JUNCTION_CONNECTORS_DIR=bench/connectors\`,"
        echo "  \`JUNCTION_ROUTES_DIR=bench/routes\`, \`JUNCTION_DATA_DIR=<fresh tmp dir>\`, \`SERVER_PORT\`, \`JUNCTION_JOURNAL_WRITER_THREADS\`, and for PostgreSQL"
        echo "  \`SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:<port>/junction\` (database dropped and recreated before each run) with its user and password;"
        echo "  wait for \`/actuator/health\` UP, warm up ${WARMUP} s, then"
        echo "  \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout ${WRK_TIMEOUT}s --latency -s bench/intake.lua http://127.0.0.1:<port>/webhooks/bench/order-created\`"
        echo "  (POST, 1024-byte JSON body, \`X-API-Key\`, unique \`Idempotency-Key\` per request); the hub is stopped after each run."
        echo
        echo "### Reading the numbers"
        echo
        echo "- The hub and wrk share the same $(nproc) cores, and so do nginx and wrk: every figure here includes the load generator's CPU."
        echo "- wrk is a closed loop ($CONNECTIONS connections, one request in flight each), so req/s and latency are two views of the same"
        echo "  saturation point: req/s ~ $CONNECTIONS / mean latency."
        echo "- H2 \`WRITE_DELAY=0\` writes each commit to the file (kill -9 safe) but does not fsync it; PostgreSQL with"
        echo "  \`synchronous_commit=on\` fsyncs the WAL on each commit (power-loss safe). The two raw baselines therefore measure different things,"
        echo "  which is why each hub run is compared with its own database only."
        [ ! -f "$BENCH/ANALYSIS.md" ] || echo "- Where the time goes and what limits the hub: [ANALYSIS.md](ANALYSIS.md)."
        [ -f "$BENCH/RESULTS-writer-threads.md" ] && [ "$RESULTS_FILE" != "$BENCH/RESULTS-writer-threads.md" ] \
            && echo "- Journal writer threads: see [RESULTS-writer-threads.md](RESULTS-writer-threads.md) for hub runs with 1, 2 and 4 writers."
        echo "<!-- intake:end -->"
    }
}

# Replaces our section of the results file (or appends it); other scripts' sections stay as they are.
write_results() {
    local new="$WORK/section.md" tmp
    section >"$new"
    mkdir -p "$(dirname "$RESULTS_FILE")"
    if [ ! -f "$RESULTS_FILE" ]; then
        printf '# Benchmark results\n\nWritten by the scripts in `bench/`; each script owns its own section.\n\n' >"$RESULTS_FILE"
    fi
    tmp=$(mktemp "$RESULTS_FILE.XXXXXX")
    if grep -q '^<!-- intake:start -->$' "$RESULTS_FILE" && grep -q '^<!-- intake:end -->$' "$RESULTS_FILE"; then
        awk -v f="$new" '
            /^<!-- intake:start -->$/ { while ((getline l < f) > 0) print l; skip = 1; next }
            /^<!-- intake:end -->$/ { skip = 0; next }
            !skip { print }' "$RESULTS_FILE" >"$tmp"
    else
        { cat "$RESULTS_FILE"; [ -z "$(tail -c1 "$RESULTS_FILE")" ] || echo; echo; cat "$new"; } >"$tmp"
    fi
    chmod 644 "$tmp"
    mv "$tmp" "$RESULTS_FILE"
}

# ---------------------------------------------------------------------------------------------------------------
main() {
    SESSION_START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    install_missing
    build
    WORK=$(mktemp -d /tmp/jx-intake.XXXXXX)
    chmod 711 "$WORK"
    RESULTS_TSV="$WORK/results.tsv"
    : >"$RESULTS_TSV"
    extract_drivers
    case " $SCENARIOS " in *" raw-pg "* | *" hub-pg"*) start_pg ;; esac

    local -a scen
    read -r -a scen <<<"$SCENARIOS"
    local n=${#scen[@]} r i
    log "$ROUNDS rounds of: ${scen[*]} (DURATION=${DURATION}s, WARMUP=${WARMUP}s, wrk -t$THREADS -c$CONNECTIONS)"
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((i = 0; i < n; i++)); do
            run_scenario "$r" "${scen[$(((i + r - 1) % n))]}"
        done
    done

    SUMMARY=$(summarize)
    print_table
    INTAKE_TSV="${RESULTS_FILE%.md}.intake.tsv"
    write_results
    cp "$RESULTS_TSV" "$INTAKE_TSV"
    log "wrote the intake section of $RESULTS_FILE, and $INTAKE_TSV"
}

main "$@"
