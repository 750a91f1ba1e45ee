# shellcheck shell=bash
# Shared helpers of bench/intake.sh, bench/e2e.sh and bench/run.sh. Sourced, never run: the caller sets
# `set -Eeuo pipefail`, ROOT (project root, the working directory), WORK (temp dir, once created), KEEP_WORK, SKIP_BUILD,
# and calls bench_traps once. Everything here talks to 127.0.0.1 only and stops what it starts.
# JAR (environment): the hub jar to run, default target/junction.jar; set it with SKIP_BUILD=1 to compare two builds in
# one session, e.g. JAR=/tmp/before.jar SKIP_BUILD=1 bench/intake.sh, alternating with the other jar.

HUB_JAR=${JAR:-${HUB_JAR:-$ROOT/target/junction.jar}}

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# Processes the traps stop; empty when not running.
WORK=""   # never inherited from the environment: the cleanup removes it
CHILD_PID=""
HUB_PID=""
NGINX_PID=""
RSS_PID=""
PG_STARTED=0
PG_BIN=""
PG_DATA=""
PG_SOCK=""
PG_SETTINGS=""

bench_cleanup() {
    local rc=$?
    set +e
    trap - ERR
    # A benchmark script bench/run.sh runs: TERM lets its own trap stop what it started (it acts once its current
    # wrk or load generator run ends, hence the long grace).
    [ -n "$CHILD_PID" ] && stop_pid "$CHILD_PID" 120
    [ -n "$RSS_PID" ] && stop_pid "$RSS_PID" 2
    [ -n "$HUB_PID" ] && stop_pid "$HUB_PID" 30
    [ -n "$NGINX_PID" ] && stop_pid "$NGINX_PID" 10
    stop_pg
    if [ -n "$WORK" ]; then
        if [ "${KEEP_WORK:-0}" = 1 ] || [ "$rc" != 0 ]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
    fi
    exit "$rc"
}

bench_traps() {
    trap bench_cleanup EXIT
    trap 'log "error: line $LINENO: $BASH_COMMAND exited with $?"' ERR
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

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
# Tools and build
# ---------------------------------------------------------------------------------------------------------------
# Installs with apt-get whichever of the named tools is missing: wrk nginx postgresql jdk curl unzip sha256sum.
# Sets NGINX (binary) and PG_BIN (newest /usr/lib/postgresql/*/bin) when those are asked for.
install_tools() {
    local -a pkgs=()
    local t
    for t in "$@"; do
        case "$t" in
            wrk) command -v wrk >/dev/null || pkgs+=(wrk) ;;
            nginx) command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || pkgs+=(nginx) ;;
            postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || pkgs+=(postgresql) ;;
            jdk) { command -v java >/dev/null && command -v javac >/dev/null; } || pkgs+=(openjdk-17-jdk-headless) ;;
            curl) command -v curl >/dev/null || pkgs+=(curl) ;;
            unzip) command -v unzip >/dev/null || command -v jar >/dev/null || pkgs+=(unzip) ;;
            sha256sum) command -v sha256sum >/dev/null || pkgs+=(coreutils) ;;
            *) die "install_tools: unknown tool '$t'" ;;
        esac
    done
    if [ ${#pkgs[@]} -gt 0 ]; then
        log "installing ${pkgs[*]} with apt-get"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
    fi
    case " $* " in *" nginx "*) NGINX=$(command -v nginx || echo /usr/sbin/nginx) ;; esac
    case " $* " in
        *" postgresql "*)
            PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
            [ -x "$PG_BIN/initdb" ] || die "no PostgreSQL binaries under /usr/lib/postgresql"
            if [ "$(id -u)" = 0 ]; then id postgres >/dev/null 2>&1 || die "user 'postgres' is missing (it comes with the postgresql package)"; fi
            ;;
    esac
}

build() {
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        log "SKIP_BUILD=1: using the existing $HUB_JAR"
    else
        log "building target/junction.jar (./mvnw -q -B package -DskipTests)"
        ./mvnw -q -B package -DskipTests
    fi
    [ -f "$HUB_JAR" ] || die "$HUB_JAR is missing"
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
# PostgreSQL: a private cluster with the stock durability settings (fsync=on, synchronous_commit=on), role `junction`
# with password $PG_PASS. Arguments: the cluster dir. Uses (and may change) PG_PORT.
# ---------------------------------------------------------------------------------------------------------------
start_pg() {
    local dir=$1
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
    PG_SETTINGS=$(psql_admin -c "SELECT 'PostgreSQL ' || current_setting('server_version') || '; fsync=' || current_setting('fsync')
        || ', synchronous_commit=' || current_setting('synchronous_commit') || ', wal_sync_method=' || current_setting('wal_sync_method')
        || ', full_page_writes=' || current_setting('full_page_writes') || ', shared_buffers=' || current_setting('shared_buffers')")
}

stop_pg() {
    [ "$PG_STARTED" = 1 ] || return 0
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
        || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1
    PG_STARTED=0
}

psql_admin() { as_pg env PGOPTIONS=--client-min-messages=warning "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAtX "$@"; }

fresh_hub_database() {
    psql_admin -c "DROP DATABASE IF EXISTS junction WITH (FORCE)"
    psql_admin -c "CREATE DATABASE junction OWNER junction"
    psql_admin -c "CHECKPOINT"
}

# ---------------------------------------------------------------------------------------------------------------
# The hub
# ---------------------------------------------------------------------------------------------------------------
# Starts $HUB_JAR (JAR, else HUB_JAR, else target/junction.jar) and waits for /actuator/health UP. Arguments: db (h2|pg) dir writers connectors-dir
# routes-dir [VAR=value ...]. Sets HUB_PORT (never SINK_PORT, which a caller may have picked for its own server),
# HUB_PID and HUB_STARTUP (seconds to UP); the log is dir/hub.log.
launch_hub() {
    local db=$1 dir=$2 writers=$3 connectors=$4 routes=$5 started i
    shift 5
    local -a envs
    HUB_PORT=$(free_port)
    while [ "$HUB_PORT" = "${SINK_PORT:-}" ]; do HUB_PORT=$(free_port); done
    mkdir -p "$dir/data"
    envs=(JUNCTION_CONNECTORS_DIR="$connectors" JUNCTION_ROUTES_DIR="$routes" JUNCTION_DATA_DIR="$dir/data"
        SERVER_PORT="$HUB_PORT" JUNCTION_JOURNAL_WRITER_THREADS="$writers" JUNCTION_OPS_API_KEY="$OPS_KEY" "$@")
    if [ "$db" = pg ]; then
        fresh_hub_database
        envs+=(SPRING_DATASOURCE_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/junction"
            SPRING_DATASOURCE_USERNAME=junction SPRING_DATASOURCE_PASSWORD="$PG_PASS")
    fi
    started=$(date +%s.%N)
    # shellcheck disable=SC2086  # HUB_JAVA_OPTS is a list of options
    env "${envs[@]}" java ${HUB_JAVA_OPTS:-} -jar "$HUB_JAR" >"$dir/hub.log" 2>&1 &
    HUB_PID=$!
    for ((i = 0; ; i++)); do
        if curl -fsS -m 2 "http://127.0.0.1:$HUB_PORT/actuator/health" 2>/dev/null | grep -q '"status":"UP"'; then break; fi
        kill -0 "$HUB_PID" 2>/dev/null || { tail -40 "$dir/hub.log" >&2; HUB_PID=""; die "the hub exited during startup"; }
        [ "$i" -lt $((STARTUP_TIMEOUT * 4)) ] || { tail -40 "$dir/hub.log" >&2; die "the hub was not UP within ${STARTUP_TIMEOUT}s"; }
        sleep 0.25
    done
    HUB_STARTUP=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
}

stop_hub() {
    [ -n "$HUB_PID" ] || return 0
    stop_pid "$HUB_PID" 30
    HUB_PID=""
}

# Resident memory of the hub: a background loop reads VmRSS from /proc/PID/status every 0.5 s and keeps the
# maximum in a file, so that rss_watch_stop can report the peak of the load in between (JVM heap, metaspace,
# threads, direct buffers: what the OS has to give the process).
rss_watch_start() {  # pid file
    local pid=$1 file=$2
    echo 0 >"$file"
    (
        max=0
        while kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [ -n "$kb" ]; do
            if [ "$kb" -gt "$max" ]; then max=$kb; echo "$max" >"$file"; fi
            sleep 0.5
        done
    ) &
    RSS_PID=$!
    RSS_FILE=$file
}

# Prints the peak RSS in MiB (one decimal) since rss_watch_start, and stops the sampler.
rss_watch_stop() {
    # One last sample, so that a run shorter than the sampling period still counts.
    local kb
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$HUB_PID/status" 2>/dev/null || true)
    [ -n "$RSS_PID" ] && stop_pid "$RSS_PID" 2
    RSS_PID=""
    awk -v a="$(cat "$RSS_FILE" 2>/dev/null || echo 0)" -v b="${kb:-0}" 'BEGIN { m = (a > b ? a : b); printf "%.1f\n", m / 1024 }'
}

# ---------------------------------------------------------------------------------------------------------------
# Measurements and figures
# ---------------------------------------------------------------------------------------------------------------
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }

cpu_sample() { awk '/^cpu / { idle = $5 + $6; t = 0; for (i = 2; i <= NF; i++) t += $i; print t, idle }' /proc/stat; }
machine_busy_pct() {  # "<total> <idle>" before, after
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); dt = y[1] - x[1]; di = y[2] - x[2];
        printf "%.0f", (dt > 0 ? 100 * (1 - di / dt) : 0) }'
}
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# Median of the numbers on stdin, one a line ("-" when there are none).
median() { { grep -E '^-?[0-9.eE+-]+$' || true; } | sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print ((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }

# Targets for bench/run.sh's combined table: one line per verdict in $VERDICTS_FILE (when set):
# script<TAB>target<TAB>subject<TAB>measured<TAB>MET|NOT MET.
verdict() {
    [ -n "${VERDICTS_FILE:-}" ] || return 0
    printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$VERDICTS_FILE"
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
# The machine, for the "Machine" part of a results section. Argument: the rest of the OS line (e.g. the load average).
machine_lines() {
    echo "- CPU: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "- Memory: $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- OS: $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), kernel $(uname -r)$1"
    echo "- Java: $(java -version 2>&1 | tr '\n' ' ' | sed 's/ *$//')"
}

# Replaces the section between <!-- NAME:start --> and <!-- NAME:end --> of the results file with the given file,
# or adds it (before the first other section when BEFORE_SECTIONS=1, else at the end); the rest stays as it is.
write_section() {  # name section-file results-file
    local name=$1 new=$2 file=$3 tmp
    mkdir -p "$(dirname "$file")"
    if [ ! -f "$file" ]; then
        printf '# Benchmark results\n\nWritten by the scripts in `bench/`; each script owns its own section.\n\n' >"$file"
    fi
    tmp=$(mktemp "${WORK:-/tmp}/results.md.XXXXXX")
    if grep -q "^<!-- $name:start -->\$" "$file" && grep -q "^<!-- $name:end -->\$" "$file"; then
        awk -v f="$new" -v s="<!-- $name:start -->" -v e="<!-- $name:end -->" '
            $0 == s { while ((getline l < f) > 0) print l; skip = 1; next }
            $0 == e { skip = 0; next }
            !skip { print }' "$file" >"$tmp"
    elif [ "${BEFORE_SECTIONS:-0}" = 1 ] && grep -q '^<!-- [a-z0-9-]*:start -->$' "$file"; then
        awk -v f="$new" '
            !done && /^<!-- [a-z0-9-]*:start -->$/ { while ((getline l < f) > 0) print l; print ""; done = 1 }
            { print }' "$file" >"$tmp"
    else
        { cat "$file"; [ -z "$(tail -c1 "$file")" ] || echo; echo; cat "$new"; } >"$tmp"
    fi
    # Rewrite in place (not mv) so the file keeps its owner and mode.
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

# N bench-only partners bench-1..bench-N in $WORK/partners-N (made once per session). Their keys are bench-key-<i>;
# the files hold only the SHA-256, computed by one sha256sum over N small key files instead of N processes.
# Every partner names the same route: RouteCatalog only forbids a route id declared twice, not one used twice.
partners_dir() {
    local n=$1 dir keys i sha file
    dir="$WORK/partners-$n"
    if [ ! -d "$dir" ]; then
        keys="$WORK/partner-keys-$n"
        mkdir -p "$keys" "$dir.tmp"
        for ((i = 1; i <= n; i++)); do printf 'bench-key-%d' "$i" >"$keys/bench-$i"; done
        (cd "$keys" && sha256sum -- *) | while read -r sha file; do
            cat >"$dir.tmp/$file.yaml" <<EOF
# Bench-only partner generated by bench/intake.sh. Never deploy it: its key is ${file/bench-/bench-key-}, derived from its number.
partner: $file
displayName: Intake benchmark $file (bench only)
apiKeys:
  - id: $file
    sha256: $sha
# Effectively unlimited, so that the benchmark measures intake and the journal, not the rate limiter
# (the filter still runs and spends a token per request, as in production).
rateLimit: { capacity: 100000000, refillPerSecond: 100000000 }
maxBodyBytes: 1000000
events:
  order-created:
    route: bench-order-created
    idempotencyKey: header:Idempotency-Key
EOF
        done
        rm -rf "$keys"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}
