#!/usr/bin/env bash
# Intake benchmark (issue 2): durable webhook intake at 50 connections, at 1, 100 and 1000 partners, with 1 KiB and
# 64 KiB bodies, on H2 and PostgreSQL, next to the baselines measured in the same session: the raw single-row commit rate
# of each database (bench/RawCommit.java, also batched 100 rows per commit) and nginx `return 202` (the HTTP ceiling
# of this machine). Records the hub's peak RSS in every hub run. bench/run.sh runs this and bench/e2e.sh in one go.
#
#   bench/intake.sh                      # from anywhere; runs from the project root; the full matrix, 3 rounds
#   ROUNDS=5 DURATION=20 bench/intake.sh
#   SKIP_BUILD=1 ROUNDS=1 DURATION=3 WARMUP=3 SCENARIOS="raw-h2 hub-h2 hub-h2/p1000" RESULTS_FILE=/tmp/r.md bench/intake.sh
#   SKIP_BUILD=1 SCENARIOS="raw-pg hub-pg@1 hub-pg@2 hub-pg@4" RESULTS_FILE=/tmp/sweep.md bench/intake.sh
#
# Scenarios (SCENARIOS, space-separated): <base>[@W][/p<N>][/b<K>k]
#   base     nginx | raw-h2 | raw-pg | hub-h2 | hub-pg
#   @W       hub only: W journal writer threads (default H2_WRITER_THREADS / PG_WRITER_THREADS)
#   /pN      hub (and nginx, which ignores it): requests spread round-robin over N partners (default 1). The script
#            generates N connector files bench-1..bench-N in its temp dir, each with its own bench-only API key
#            bench-key-<i> (only the SHA-256 is in the file), an effectively unlimited bucket, maxBodyBytes 1000000
#            and the event order-created -> the shared route bench/routes/bench-order-created.yaml
#   /bKk     body of exactly K KiB of JSON (default b1k; b64k = 65536 bytes); for raw-*: the payload of each row
#   e.g. hub-h2 (= hub-h2/p1/b1k), hub-pg/p100, hub-h2/p1000/b64k, hub-pg@2/p1000, raw-pg/b64k
# Ratios: a hub scenario is compared with raw-<its db> of the same body size when that is in SCENARIOS (else the
# 1 KiB one), with nginx of the same body size (else nginx), and a /pN (N > 1) one with its /p1 sibling (same db,
# writers and body size).
#
# Settings (environment):
#   ROUNDS=3            rounds; every round runs every scenario once, in a rotated order (interleaved)
#   DURATION=10         seconds of each measured wrk run (and of each raw single-row commit run, RAW_SECONDS)
#   WARMUP=60           seconds of wrk warm-up against each freshly started hub (2 s for nginx); not recorded. The JIT
#                       compiles for about a minute under this load on 2 cores (C2 took ~40% of a core 35 s in), so a
#                       shorter warm-up measures the compiler as much as the hub. It runs in pieces of WARMUP_PIECE=30 s:
#                       wrk closing its connections at the end of a run deoptimized hot code, and that must happen in the
#                       warm-up, not at the start of the measured run. jit_cpu in the details is the compiler threads'
#                       CPU during the measured run (% of one core), to show how warm the hub was
#   THREADS=2 CONNECTIONS=50   wrk -t / -c
#   WRK_TIMEOUT=10      wrk --timeout in seconds: wrk leaves slower responses out of its latency histogram (counting them as
#                       timeouts), so it must exceed the hub's own 5 s append timeout for p99 to be honest
#   RAW_SECONDS=$DURATION RAW_BATCH_SECONDS=3   raw single-row run, then the 100-rows-per-commit extra baseline (0: skip)
#   H2_WRITER_THREADS=1 PG_WRITER_THREADS=1     JUNCTION_JOURNAL_WRITER_THREADS of hub-h2 / hub-pg
#   SCENARIOS="nginx nginx/b64k raw-h2 raw-h2/b64k raw-pg raw-pg/b64k hub-{h2,pg}{,/p100,/p1000}{,/b64k}"  (the full matrix)
#   RESULTS_FILE=bench/RESULTS.md   the intake section between <!-- intake:start --> and <!-- intake:end --> is replaced
#                       (or appended); the rest of the file is left alone. Raw figures go to bench/RESULTS.intake.tsv
#   SKIP_BUILD=1        use the existing target/junction.jar
#   JAR=path            run this hub jar (absolute, or relative to the project root) instead of target/junction.jar,
#                       with SKIP_BUILD=1. To compare two builds, run the script alternately with each jar (ROUNDS=1 and a
#                       RESULTS_FILE per run), then compare the medians of the .intake.tsv files
#   PG_PORT=55432       port of the private PostgreSQL cluster (a free one is picked if it is taken)
#   STARTUP_TIMEOUT=180 seconds to wait for the hub's /actuator/health to answer UP
#   HUB_JAVA_OPTS=-Xmx256m   JVM options for the hub (the heap README recommends for 2 cores; "" for the JVM default, 1/4 of RAM)
#   KEEP_WORK=1         keep the temp dir (logs, wrk output, data, generated connectors) for inspection
#   QUIET_WAIT=0        on a shared machine: before each scenario wait up to this many seconds for other tenants' CPU
#   QUIET_BELOW=30      use to drop below this percentage (it is recorded as background_cpu either way)
#   VERDICTS_FILE=      append one line per verdict (script, target, subject, measured, MET | NOT MET): bench/run.sh's table
#
# Needs root (or sudo) only to apt-get install wrk, nginx, postgresql, a JDK, curl and unzip when missing. Everything
# else runs in a temp dir and talks to 127.0.0.1 only; the trap stops every nginx, PostgreSQL and hub process it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

DEFAULT_SCENARIOS="nginx nginx/b64k raw-h2 raw-h2/b64k raw-pg raw-pg/b64k"
for _db in h2 pg; do
    for _b in "" /b64k; do DEFAULT_SCENARIOS="$DEFAULT_SCENARIOS hub-$_db$_b hub-$_db/p100$_b hub-$_db/p1000$_b"; done
done

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-60}
WARMUP_PIECE=${WARMUP_PIECE:-30}
WRK_TIMEOUT=${WRK_TIMEOUT:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-50}
RAW_SECONDS=${RAW_SECONDS:-$DURATION}
RAW_BATCH_SECONDS=${RAW_BATCH_SECONDS:-3}
H2_WRITER_THREADS=${H2_WRITER_THREADS:-1}
PG_WRITER_THREADS=${PG_WRITER_THREADS:-1}
SCENARIOS=${SCENARIOS:-$DEFAULT_SCENARIOS}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
SKIP_BUILD=${SKIP_BUILD:-0}
PG_PORT=${PG_PORT:-55432}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx256m}
KEEP_WORK=${KEEP_WORK:-0}
QUIET_WAIT=${QUIET_WAIT:-0}
QUIET_BELOW=${QUIET_BELOW:-30}

# Bench-only credentials: the generated connector files hold the SHA-256 of bench-key-<i>. Never reuse them elsewhere.
OPS_KEY=bench-ops-key-9b3e61d0
PG_PASS=bench-pg-pass
TARGET_P99_MS=50
TARGET_RAW_RATIO=1.0
TARGET_PARTNERS_RATIO=0.9   # N partners within 10% of 1 partner
TARGET_RSS_MB=512

bench_traps

# ---------------------------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------------------------
declare -A SPEC   # scenario -> "kind db writers partners body_bytes" (kind: nginx | raw | hub; db: h2 | pg | -)

# Parses one scenario name (syntax at the top); prints its spec, or fails on a name it does not understand.
parse_scenario() {
    local s=$1 head base kind db writers="" partners=1 body=1024 part
    local -a parts
    IFS=/ read -r -a parts <<<"$s"
    head=${parts[0]}
    base=${head%@*}
    case "$base" in
        nginx) kind=nginx; db=- ;;
        raw-h2 | raw-pg) kind=raw; db=${base#raw-} ;;
        hub-h2 | hub-pg) kind=hub; db=${base#hub-} ;;
        *) return 1 ;;
    esac
    if [ "$head" != "$base" ]; then
        [ "$kind" = hub ] && [[ ${head#*@} =~ ^[1-9][0-9]*$ ]] || return 1
        writers=${head#*@}
    fi
    for part in "${parts[@]:1}"; do
        if [[ $part =~ ^p([1-9][0-9]*)$ ]] && [ "$kind" != raw ]; then partners=${BASH_REMATCH[1]}
        elif [[ $part =~ ^b([1-9][0-9]*)k$ ]]; then body=$((BASH_REMATCH[1] * 1024))
        else return 1
        fi
    done
    if [ -z "$writers" ]; then
        case "$db" in h2) writers=$H2_WRITER_THREADS ;; pg) writers=$PG_WRITER_THREADS ;; *) writers=- ;; esac
    fi
    echo "$kind $db $writers $partners $body"
}

parse_scenarios() {
    local s
    for s in $SCENARIOS; do
        SPEC[$s]=$(parse_scenario "$s") \
            || die "unknown scenario '$s': <nginx|raw-h2|raw-pg|hub-h2|hub-pg>[@writers][/p<partners>][/b<KiB>k], e.g. hub-pg/p1000/b64k"
    done
}

# The first scenario in SCENARIOS whose spec matches; "*" matches anything. Arguments: kind db writers partners body.
find_scenario() {
    local s k d w p b
    for s in $SCENARIOS; do
        read -r k d w p b <<<"${SPEC[$s]}"
        [ "$1" = "$k" ] && { [ "$2" = '*' ] || [ "$2" = "$d" ]; } && { [ "$3" = '*' ] || [ "$3" = "$w" ]; } \
            && { [ "$4" = '*' ] || [ "$4" = "$p" ]; } && { [ "$5" = '*' ] || [ "$5" = "$b" ]; } && { echo "$s"; return 0; }
    done
    return 0
}

spec_field() { local -a f; read -r -a f <<<"${SPEC[$1]}"; echo "${f[$2]}"; }   # scenario index (0 kind .. 4 body)

# What a scenario is compared with: its raw commit baseline (same db, same body size if measured, else 1 KiB),
# nginx (same body size if measured, else the first nginx), and for a hub with N > 1 partners its 1-partner sibling.
raw_baseline_of() {
    local r
    [ "$(spec_field "$1" 0)" = hub ] || return 0
    r=$(find_scenario raw "$(spec_field "$1" 1)" '*' '*' "$(spec_field "$1" 4)")
    [ -n "$r" ] || r=$(find_scenario raw "$(spec_field "$1" 1)" '*' '*' 1024)
    echo "$r"
}
nginx_baseline_of() {
    local r
    r=$(find_scenario nginx '*' '*' '*' "$(spec_field "$1" 4)")
    [ -n "$r" ] || r=$(find_scenario nginx '*' '*' '*' '*')
    echo "$r"
}
p1_sibling_of() {
    [ "$(spec_field "$1" 0)" = hub ] && [ "$(spec_field "$1" 3)" -gt 1 ] || return 0
    find_scenario hub "$(spec_field "$1" 1)" "$(spec_field "$1" 2)" 1 "$(spec_field "$1" 4)"
}
body_label() { if [ $(($1 % 1024)) = 0 ]; then echo "$(($1 / 1024)) KiB"; else echo "$1 bytes"; fi; }


# ---------------------------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------------------------
# The JDBC drivers for RawCommit: exactly the versions the hub ships, taken from its jar.
extract_drivers() {
    local dir="$WORK/drivers" entries
    mkdir -p "$dir"
    entries=$(unzip -Z1 "$HUB_JAR" 2>/dev/null || jar tf "$HUB_JAR")
    H2_JAR_ENTRY=$(grep -E '^BOOT-INF/lib/h2-[0-9][^/]*\.jar$' <<<"$entries" | head -1)
    PG_JAR_ENTRY=$(grep -E '^BOOT-INF/lib/postgresql-[0-9][^/]*\.jar$' <<<"$entries" | head -1)
    [ -n "$H2_JAR_ENTRY" ] && [ -n "$PG_JAR_ENTRY" ] || die "cannot find the H2 and PostgreSQL drivers in $HUB_JAR"
    if command -v unzip >/dev/null; then
        unzip -q -o -j "$HUB_JAR" "$H2_JAR_ENTRY" "$PG_JAR_ENTRY" -d "$dir"
    else
        (cd "$dir" && jar xf "$HUB_JAR" "$H2_JAR_ENTRY" "$PG_JAR_ENTRY" && mv BOOT-INF/lib/*.jar .)
    fi
    RAW_CP="$dir/$(basename "$H2_JAR_ENTRY"):$dir/$(basename "$PG_JAR_ENTRY")"
}

# ---------------------------------------------------------------------------------------------------------------
# Measurements
# ---------------------------------------------------------------------------------------------------------------
RESULTS_TSV=""   # round, scenario, value, p50 ms, p99 ms, errors, details

BG_CPU=-         # machine CPU busy in the second before the current scenario, while none of our processes ran
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s;background_cpu=%s%%\n' "$@" "$BG_CPU" >>"$RESULTS_TSV"; }

us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f\n", u / 1000 }'; }

# wrk against a base URL with the intake request (JSON of the given size, unique Idempotency-Key, spread over the given
# number of partners: path and X-API-Key per request, see bench/intake.lua); prints the WRK_RESULT line.
run_wrk() {  # url seconds out partners body-bytes
    local url=$1 seconds=$2 out=$3
    BENCH_PARTNERS=$4 BENCH_BODY_BYTES=$5 BENCH_RUN_ID="$(basename "$out" .txt)-$RANDOM$RANDOM" \
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

scenario_nginx() {  # round name dir partners body
    local round=$1 name=$2 dir=$3 partners=$4 body=$5 port conf before after res i
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
    run_wrk "http://127.0.0.1:$port" 2 "$dir/warmup.txt" "$partners" "$body" >/dev/null
    before=$(cpu_sample)
    res=$(run_wrk "http://127.0.0.1:$port" "$DURATION" "$dir/wrk.txt" "$partners" "$body")
    after=$(cpu_sample)
    stop_pid "$NGINX_PID" 10
    NGINX_PID=""
    record_wrk "$round" "$name" "$res" "body=$body;machine_cpu=$(machine_busy_pct "$before" "$after")%"
}

scenario_raw() {  # round name dir db body
    local round=$1 name=$2 dir=$3 db=$4 body=$5 url user pass out before after single rows commits
    if [ "$db" = h2 ]; then
        url="jdbc:h2:file:$dir/raw;WRITE_DELAY=0"; user=sa; pass=""
    else
        url="jdbc:postgresql://127.0.0.1:$PG_PORT/raw"; user=junction; pass=$PG_PASS
        psql_admin -c "CHECKPOINT"
    fi
    out="$dir/raw.txt"
    before=$(cpu_sample)
    java -cp "$RAW_CP" "$BENCH/RawCommit.java" "$url" "$user" "$pass" "$RAW_SECONDS" "$RAW_BATCH_SECONDS" "$body" >"$out" 2>&1 \
        || { cat "$out" >&2; die "RawCommit on $db"; }
    after=$(cpu_sample)
    single=$(awk '$1 == "single_row_commits_per_s" { print $2 }' "$out")
    rows=$(awk '$1 == "batch100_rows_per_s" { print $2 }' "$out")
    commits=$(awk '$1 == "batch100_commits_per_s" { print $2 }' "$out")
    [ -n "$single" ] || { cat "$out" >&2; die "RawCommit printed no rate"; }
    record "$round" "$name" "$single" - - 0 "body=$body;batch100_rows_per_s=${rows:--};batch100_commits_per_s=${commits:--};machine_cpu=$(machine_busy_pct "$before" "$after")%"
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

# Warm-up in pieces (see WARMUP); sets WARM_OK, the 2xx answers it got (they are in the journal too).
warm_up() {  # url dir partners body
    local left=$WARMUP n=0 piece warm
    WARM_OK=0
    while [ "$left" -gt 0 ]; do
        piece=$((left < WARMUP_PIECE ? left : WARMUP_PIECE))
        n=$((n + 1))
        warm=$(run_wrk "$1" "$piece" "$2/warmup-$n.txt" "$3" "$4")
        WARM_OK=$((WARM_OK + $(kv "$warm" requests) - $(kv "$warm" status_errors)))
        left=$((left - piece))
    done
}

# CPU ticks of the JIT compiler threads of a process.
jit_ticks() {
    local t sum=0 v
    for t in /proc/"$1"/task/*; do
        case "$(cat "$t/comm" 2>/dev/null)" in
            C1\ Compiler* | C2\ Compiler*) v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$t/stat" 2>/dev/null || echo 0); sum=$((sum + v)) ;;
        esac
    done
    echo "$sum"
}

scenario_hub() {  # round name dir db writers partners body
    local round=$1 name=$2 dir=$3 db=$4 writers=$5 partners=$6 body=$7 connectors url res before after t0 t1 j0 j1 a0 a1 c0 c1 hz rows acked rss
    connectors=$(partners_dir "$partners")
    launch_hub "$db" "$dir" "$writers" "$connectors" "$BENCH/routes"
    url="http://127.0.0.1:$HUB_PORT"
    # Peak RSS over the warm-up and the measured window: the hub under this scenario's load.
    rss_watch_start "$HUB_PID" "$dir/rss_kb"
    warm_up "$url" "$dir" "$partners" "$body"
    a0=$(metric_count junction.journal.appends); c0=$(metric_count junction.journal.commits)
    before=$(cpu_sample); t0=$(proc_ticks "$HUB_PID"); j0=$(jit_ticks "$HUB_PID")
    res=$(run_wrk "$url" "$DURATION" "$dir/wrk.txt" "$partners" "$body")
    after=$(cpu_sample); t1=$(proc_ticks "$HUB_PID"); j1=$(jit_ticks "$HUB_PID")
    rss=$(rss_watch_stop)
    a1=$(metric_count junction.journal.appends); c1=$(metric_count junction.journal.commits)
    hz=$(getconf CLK_TCK)
    stop_hub
    rows=$(journal_rows "$db" "$dir" || true)
    acked=$((WARM_OK + $(kv "$res" requests) - $(kv "$res" status_errors)))
    if [ -n "$rows" ] && [ "$rows" -lt "$acked" ]; then
        log "WARNING: $name round $round: $acked responses were 2xx but the journal holds only $rows rows"
    fi
    record_wrk "$round" "$name" "$res" "$(awk -v a0="${a0:-0}" -v a1="${a1:-0}" -v c0="${c0:-0}" -v c1="${c1:-0}" \
        -v t0="$t0" -v t1="$t1" -v j0="$j0" -v j1="$j1" -v hz="$hz" -v d="$DURATION" -v w="$writers" -v s="$HUB_STARTUP" -v busy="$(machine_busy_pct "$before" "$after")" \
        'BEGIN { n = a1 - a0; c = c1 - c0; printf "writers=%d;commits_per_s=%.0f;avg_batch=%.1f;hub_cpu=%.0f%%;jit_cpu=%.0f%%;machine_cpu=%s%%;startup_s=%s",
                 w, c / d, (c > 0 ? n / c : 0), 100 * (t1 - t0) / hz / d, 100 * (j1 - j0) / hz / d, busy, s }');rows=${rows:-?};acked=$acked;partners=$partners;body=$body;rss_mb=$rss"
}

run_scenario() {  # round scenario
    local round=$1 s=$2 kind db writers partners body dir
    read -r kind db writers partners body <<<"${SPEC[$s]}"
    dir=$(mktemp -d "$WORK/r$round-$(tr '@/' '-_' <<<"$s").XXXX")
    # Other tenants' load, measured while nothing of ours runs (the previous scenario has stopped its processes);
    # with QUIET_WAIT, wait up to that long for it to drop below QUIET_BELOW percent.
    local before waited=0
    while :; do
        before=$(cpu_sample); sleep 1; BG_CPU=$(machine_busy_pct "$before" "$(cpu_sample)")
        [ "$BG_CPU" -ge "$QUIET_BELOW" ] && [ "$waited" -lt "$QUIET_WAIT" ] || break
        [ "$waited" != 0 ] || log "other tenants keep the CPU ${BG_CPU}% busy; waiting up to ${QUIET_WAIT}s for it to drop below ${QUIET_BELOW}%"
        sleep 4; waited=$((waited + 5))
    done
    case "$kind" in
        nginx) scenario_nginx "$round" "$s" "$dir" "$partners" "$body" ;;
        raw) scenario_raw "$round" "$s" "$dir" "$db" "$body" ;;
        hub) scenario_hub "$round" "$s" "$dir" "$db" "$writers" "$partners" "$body" ;;
    esac
    rm -rf "$dir/data" "$dir/raw".*.db 2>/dev/null || true
    log "round $round: $(tail -1 "$RESULTS_TSV" | cut -f2-7 | tr '\t' ' ')"
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
column_of() { awk -F'\t' -v s="$1" -v c="$2" '$2 == s { print $c }' "$RESULTS_TSV"; }
value_in_round() { awk -F'\t' -v s="$1" -v r="$2" '$1 == r && $2 == s { print $3 }' "$RESULTS_TSV"; }
# The values of one key of the details column ("k=v;k=v"), one per run of the scenario.
detail_of() { column_of "$1" 7 | awk -F';' -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }'; }
ratio3() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.3g\n", a / b }'; }
fmt2() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.2f\n", v }'; }
fmt0() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.0f\n", v }'; }
# The ratio within each round (same minute, same noise), then its median: a second estimate next to the ratio of medians.
paired_ratio() { local r; for ((r = 1; r <= ROUNDS; r++)); do ratio "$(value_in_round "$1" "$r")" "$(value_in_round "$2" "$r")"; done | median; }
at_least() { awk -v x="$1" -v t="$2" 'BEGIN { print ((x != "-" && x != "" && x + 0 >= t) ? "MET" : "NOT MET") }'; }
below() { awk -v x="$1" -v t="$2" 'BEGIN { print ((x != "-" && x != "" && x + 0 < t) ? "MET" : "NOT MET") }'; }

# One line per scenario: "scenario value p50 p99 x_raw x_raw_paired x_nginx x_p1 x_p1_paired rss_mb errors"
# (value: median req/s, raw commits/s for raw-*; x_p1: req/s / req/s of the 1-partner sibling; rss_mb: the peak of all runs).
summarize() {
    local s v p50 p99 errs base ng p1 xraw paired xng xp1 pairedp1 rss
    for s in $SCENARIOS; do
        v=$(column_of "$s" 3 | median)
        p50=$(fmt2 "$(column_of "$s" 4 | median)")
        p99=$(fmt2 "$(column_of "$s" 5 | median)")
        errs=$(column_of "$s" 6 | awk '{ t += $1 } END { print t + 0 }')
        base=$(raw_baseline_of "$s"); ng=$(nginx_baseline_of "$s"); p1=$(p1_sibling_of "$s")
        xraw=-; paired=-; xng=-; xp1=-; pairedp1=-
        if [ -n "$base" ]; then xraw=$(ratio "$v" "$(column_of "$base" 3 | median)"); paired=$(paired_ratio "$s" "$base"); fi
        if [ -n "$p1" ]; then xp1=$(ratio "$v" "$(column_of "$p1" 3 | median)"); pairedp1=$(paired_ratio "$s" "$p1"); fi
        if [ -n "$ng" ] && [ "$(spec_field "$s" 0)" != raw ]; then xng=$(ratio3 "$v" "$(column_of "$ng" 3 | median)"); fi
        rss=$(detail_of "$s" rss_mb | sort -g | tail -1)
        echo "$s $v $p50 $p99 $xraw $paired $xng $xp1 $pairedp1 ${rss:--} $errs"
    done
}

print_table() {
    local fmt='%-18s %13s %9s %9s %12s %12s %9s %8s %9s %7s\n'
    # shellcheck disable=SC2059  # the format is ours
    printf "\n$fmt" scenario "median req/s" "p50 ms" "p99 ms" "x raw commit" "(per round)" "x nginx" "x p1" "max RSS" errors
    while read -r s v p50 p99 xraw paired xng xp1 pairedp1 rss errs; do
        case "$s" in
            raw-*) printf "$fmt" "$s" "$(fmt0 "$v") c/s" - - - - - - - "$errs" ;;
            *) printf "$fmt" "$s" "$(fmt0 "$v")" "$p50" "$p99" "$xraw" "$paired" "$xng" "$xp1" "$([ "$rss" = - ] && echo - || echo "$rss MiB")" "$errs" ;;
        esac
    done <<<"$SUMMARY"
    echo "(raw-*: single-row commits/s on one connection; x raw commit = hub req/s / raw commits/s of the same database and body size;"
    echo " x p1 = req/s / req/s of the same scenario with 1 partner; max RSS = the hub's peak VmRSS over its runs)"
}

# The verdicts, as Markdown bullets; with VERDICTS_FILE also one line each for bench/run.sh's combined table.
verdicts() {
    local s v p50 p99 xraw paired xng xp1 pairedp1 rss errs base p1 ok_ratio ok_p99 ok_p1 ok_rss caveat met=0 all=0 ok
    while read -r s v p50 p99 xraw paired xng xp1 pairedp1 rss errs; do
        [ "$(spec_field "$s" 0)" = hub ] || continue
        base=$(raw_baseline_of "$s"); p1=$(p1_sibling_of "$s")
        ok_ratio=$(at_least "$xraw" "$TARGET_RAW_RATIO")
        ok_p99=$(below "$p99" "$TARGET_P99_MS")
        ok_rss=$(below "$rss" "$TARGET_RSS_MB")
        # wrk counts every response in req/s: with failed requests in the runs, the throughput says nothing.
        if [ "$errs" != 0 ]; then ok_ratio="NOT MET"; fi
        # The baselines are noisy: say so when the paired (per-round) estimate lands on the other side of the target.
        caveat=$(awk -v x="$xraw" -v y="$paired" -v t="$TARGET_RAW_RATIO" 'BEGIN {
            if (x != "-" && y != "-" && ((x + 0 >= t) != (y + 0 >= t)))
                printf " Not robust: the median of the per-round ratios is %sx, on the other side of the target.", y }')
        echo "- **$s**: throughput $(fmt0 "$v") req/s = ${xraw}x the raw single-row commit rate of ${base:-(no raw baseline in SCENARIOS)} (target >= ${TARGET_RAW_RATIO}x): **$ok_ratio**;$caveat p99 ${p99} ms (target < ${TARGET_P99_MS} ms): **$ok_p99**; hub peak RSS ${rss} MiB (target < ${TARGET_RSS_MB} MiB): **$ok_rss**.$([ "$errs" = 0 ] || echo " $errs requests failed (see the per-round table), so its throughput targets are NOT MET whatever the ratio.")"
        verdict intake "req/s >= ${TARGET_RAW_RATIO}x raw single-row commit (${base:-none})" "$s" "${xraw}x ($(fmt0 "$v") req/s)" "$ok_ratio"
        verdict intake "intake p99 < ${TARGET_P99_MS} ms" "$s" "$p99 ms" "$ok_p99"
        verdict intake "hub RSS < ${TARGET_RSS_MB} MiB" "$s" "$rss MiB" "$ok_rss"
        all=$((all + 3)); for ok in "$ok_ratio" "$ok_p99" "$ok_rss"; do [ "$ok" != MET ] || met=$((met + 1)); done
        if [ -n "$p1" ]; then
            ok_p1=$(at_least "$xp1" "$TARGET_PARTNERS_RATIO")
            if [ "$errs" != 0 ]; then ok_p1="NOT MET"; fi
            echo "  - $(spec_field "$s" 3) partners vs 1 ($p1): ${xp1}x its req/s (median of per-round ratios ${pairedp1}x; target: within 10%, >= ${TARGET_PARTNERS_RATIO}x): **$ok_p1**."
            verdict intake "$(spec_field "$s" 3) partners within 10% of 1 partner" "$s" "${xp1}x $p1" "$ok_p1"
            all=$((all + 1)); [ "$ok_p1" != MET ] || met=$((met + 1))
        fi
    done <<<"$SUMMARY"
    echo
    echo "Intake targets met: **$met of $all**."
}

# The dimensions the scenarios cover, for the section's first lines.
dimensions() {
    local s p=() b=()
    for s in $SCENARIOS; do
        [ "$(spec_field "$s" 0)" = hub ] || continue
        p+=("$(spec_field "$s" 3)"); b+=("$(body_label "$(spec_field "$s" 4)")")
    done
    echo "$(printf '%s\n' "${p[@]:-1}" | sort -un | paste -sd, - | sed 's/,/, /g') partner(s), $(printf '%s\n' "${b[@]:-1 KiB}" | sort -u -n | paste -sd, - | sed 's/,/ and /g') bodies"
}

# Our section of the results file, between <!-- intake:start --> and <!-- intake:end -->.
section() {
    local cmd s
    cmd="HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\" ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP WARMUP_PIECE=$WARMUP_PIECE WRK_TIMEOUT=$WRK_TIMEOUT THREADS=$THREADS CONNECTIONS=$CONNECTIONS RAW_SECONDS=$RAW_SECONDS RAW_BATCH_SECONDS=$RAW_BATCH_SECONDS H2_WRITER_THREADS=$H2_WRITER_THREADS PG_WRITER_THREADS=$PG_WRITER_THREADS SCENARIOS=\"$SCENARIOS\" QUIET_WAIT=$QUIET_WAIT QUIET_BELOW=$QUIET_BELOW$([ "$SKIP_BUILD" != 1 ] || echo " SKIP_BUILD=1") bench/intake.sh"
    {
        echo "<!-- intake:start -->"
        echo "## Intake: durable commit vs the raw commit rate and nginx"
        echo
        echo "Issue 2: durable intake, $CONNECTIONS concurrent connections, $(dimensions), on H2 and PostgreSQL, against the"
        echo "raw single-row commit rate of the same database and nginx \`return 202\`, all measured in the same session."
        echo "Targets: hub req/s >= ${TARGET_RAW_RATIO}x the raw single-row commit rate of the same database; p99 < ${TARGET_P99_MS} ms;"
        echo "N partners within 10% of 1 partner (same database and body size); the hub's peak RSS < ${TARGET_RSS_MB} MiB."
        echo
        echo "Written by \`bench/intake.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (session started $SESSION_START); every run's raw figures"
        echo "are also in \`$(basename "$INTAKE_TSV")\` (round, scenario, req/s or commits/s, p50 ms, p99 ms, errors, details)."
        [ "$ROUNDS" -ge 3 ] && [ "$DURATION" -ge 10 ] || echo "**A short run (ROUNDS=$ROUNDS, DURATION=${DURATION}s): a check of the benchmark, not figures to quote.**"
        echo
        echo "### Verdict"
        echo
        verdicts
        echo
        echo "### Medians over $ROUNDS interleaved rounds"
        echo
        echo "Scenario names: \`<base>[@writers][/p<partners>][/b<KiB>k]\`, defaults 1 partner and 1 KiB (\`hub-pg/p1000/b64k\`: PostgreSQL,"
        echo "1000 partners, 64 KiB bodies). Each hub scenario is compared with the raw commit rate of its database at its body size when"
        echo "that was measured (\`raw-pg/b64k\`: 64 KiB rows), else at 1 KiB, and a scenario with N > 1 partners with its 1-partner sibling."
        echo
        echo "| scenario | median req/s (raw: commits/s) | p50 ms | p99 ms | x raw commit, same DB (ratio of medians) | x raw commit (median of per-round ratios) | x nginx | x 1 partner | hub peak RSS MiB | errors |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        while read -r s v p50 p99 xraw paired xng xp1 pairedp1 rss errs; do
            echo "| $s | $(fmt0 "$v") | $p50 | $p99 | $xraw | $paired | $xng | $xp1 | $rss | $errs |"
        done <<<"$SUMMARY"
        echo
        for s in $SCENARIOS; do
            [ "$(spec_field "$s" 0)" = raw ] || continue
            echo "- Extra baseline, $s with 100 rows per commit (median): $(fmt0 "$(detail_of "$s" batch100_rows_per_s | median)") rows/s."
        done
        echo
        echo "### Every run"
        echo
        echo "Rounds run every scenario once, each round in a rotated order. Hub details: journal writer threads, journal commits/s"
        echo "and messages per commit during the measured window (from the hub's \`junction.journal.*\` metrics), hub CPU (100% = one core),"
        echo "whole-machine CPU busy (all tenants), hub startup to health UP, journal rows after the hub stopped and the 2xx responses"
        echo "wrk received (warm-up included; rows >= acked means every 202 was committed), partners, body bytes, and \`rss_mb\` = the hub's"
        echo "peak VmRSS (/proc/PID/status, sampled every 0.5 s over the warm-up and the measured window). Every run: \`machine_cpu\` ="
        echo "whole-machine CPU busy during the measurement (ours and other tenants'), \`background_cpu\` = other tenants' CPU busy just before it."
        echo
        echo "| round | scenario | req/s (raw: commits/s) | p50 ms | p99 ms | errors | details |"
        echo "|---:|---|---:|---:|---:|---:|---|"
        sort -t$'\t' -k1,1n -s "$RESULTS_TSV" | awk -F'\t' '{ d = $7; gsub(/;/, ", ", d); printf "| %s | %s | %.0f | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, d }'
        echo
        echo "### Machine"
        echo
        machine_lines "; load average at start: $LOAD_START"
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
        echo "This section alone (\`bench/run.sh\` runs it, then \`bench/e2e.sh\`, after one build, and prints every verdict):"
        echo
        echo '```'
        echo "$cmd"
        echo '```'
        echo
        echo "What each scenario runs (ports are picked free at run time):"
        echo
        echo "- \`nginx[/b<K>k]\`: \`nginx -p <tmp> -c <tmp>/nginx.conf\` in the foreground, \`worker_processes 2\`, \`location / { return 202; }\`,"
        echo "  then the same wrk command as the hub (2 s warm-up)."
        echo "- \`raw-h2[/b<K>k]\` / \`raw-pg[/b<K>k]\`: \`java -cp <h2.jar>:<postgresql.jar> bench/RawCommit.java <url> <user> <password> $RAW_SECONDS $RAW_BATCH_SECONDS <row payload bytes>\`"
        echo "  with \`jdbc:h2:file:<fresh tmp dir>/raw;WRITE_DELAY=0\` (the hub's embedded default options) or \`jdbc:postgresql://127.0.0.1:<port>/raw\`:"
        echo "  one connection, INSERT one row (36-char id, payload of the body size, timestamptz) + COMMIT in a loop after 1 s of warm-up;"
        echo "  then 100 rows per commit."
        echo "- \`hub-h2\` / \`hub-pg\` (\`[@W][/p<N>][/b<K>k]\`): \`java -jar target/junction.jar\` from the project root with"
        echo "  \`JUNCTION_CONNECTORS_DIR=<tmp>/partners-<N>\`: N generated bench-only connector files \`bench-1.yaml\`..\`bench-N.yaml\` (partner"
        echo "  \`bench-<i>\`, API key \`bench-key-<i>\` of which the file holds the SHA-256, bucket of 10^8 refilled at 10^8/s, \`maxBodyBytes: 1000000\`,"
        echo "  event \`order-created\` -> route \`bench-order-created\`), \`JUNCTION_ROUTES_DIR=bench/routes\` (one no-op route all partners share),"
        echo "  \`JUNCTION_DATA_DIR=<fresh tmp dir>\`, \`SERVER_PORT\`, \`JUNCTION_JOURNAL_WRITER_THREADS\`, and for PostgreSQL"
        echo "  \`SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:<port>/junction\` (database dropped and recreated before each run) with its user and password;"
        echo "  wait for \`/actuator/health\` UP, warm up ${WARMUP} s, then"
        echo "  \`BENCH_PARTNERS=<N> BENCH_BODY_BYTES=<bytes> wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --timeout ${WRK_TIMEOUT}s --latency -s bench/intake.lua http://127.0.0.1:<port>\`"
        echo "  (POST, JSON body of exactly the given size, requests round-robin over \`/webhooks/bench-<i>/order-created\` with that partner's"
        echo "  \`X-API-Key\`, unique \`Idempotency-Key\` per request); the hub is stopped after each run."
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

# ---------------------------------------------------------------------------------------------------------------
main() {
    SESSION_START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    parse_scenarios
    install_tools wrk nginx postgresql jdk curl unzip sha256sum
    build
    WORK=$(mktemp -d /tmp/jx-intake.XXXXXX)
    chmod 711 "$WORK"
    RESULTS_TSV="$WORK/results.tsv"
    : >"$RESULTS_TSV"
    extract_drivers
    if [ -n "$(find_scenario raw pg '*' '*' '*')$(find_scenario hub pg '*' '*' '*')" ]; then
        start_pg "$WORK/pg"
        psql_admin -c "CREATE DATABASE raw OWNER junction"
    fi

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
    section >"$WORK/section.md"
    write_section intake "$WORK/section.md" "$RESULTS_FILE"
    cp "$RESULTS_TSV" "$INTAKE_TSV"
    log "wrote the intake section of $RESULTS_FILE, and $INTAKE_TSV"
}

main "$@"
