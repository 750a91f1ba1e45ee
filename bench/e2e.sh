#!/usr/bin/env bash
# End-to-end delivery benchmark (issues 3 and 4): webhook in -> journal -> route -> HTTP target, timed from each
# request's scheduled send to its arrival at the target, at fixed rates of 30%, 50% and 80% of the maximum intake rate
# measured in the same session, on H2 and on PostgreSQL. Open-loop load (bench/E2eLoad.java), so a slow hub shows up as
# latency instead of slowing the sender down. Records the hub's peak RSS (VmRSS, sampled every 0.5 s) in every run.
# bench/run.sh runs bench/intake.sh and this in one go, after one build.
#
#   bench/e2e.sh                          # from anywhere; runs from the project root
#   ROUNDS=1 DURATION=5 bench/e2e.sh      # a quick check
#   SKIP_BUILD=1 DATABASES=h2 ROUNDS=5 bench/e2e.sh
#
# Settings (environment):
#   ROUNDS=3            rounds; each round runs every load once, in a rotated order (interleaved)
#   DURATION=20         measured seconds of each fixed-rate run
#   WARMUP=5            seconds at the run's own rate before the measured window (sent and delivered, not counted)
#   LOADS="30 50 80"    fixed rates, in percent of the maximum intake rate
#   DATABASES="h2 pg"   hub databases, one after the other (a fresh hub and database for each)
#   CONCURRENCY=50      closed-loop senders of the max-rate search (as the intake benchmark's wrk -c50)
#   MAX_RUNS=3 MAX_DURATION=10 MAX_WARMUP=3   the max rate is the median 202 rate of MAX_RUNS closed-loop runs
#   HUB_WARMUP=30 HUB_WARMUP_MAX=180   unrecorded closed-loop load right after each hub start (JIT warm-up), in
#                       15 s steps: at least HUB_WARMUP seconds, then until a step's 202 rate is no more than 10% above
#                       the best earlier step (the hub stopped getting faster), at most HUB_WARMUP_MAX seconds
#   MAX_RECHECK=1       measure the max rate again after the rounds (shows drift on a shared machine; not used for rates)
#   DRAIN_TIMEOUT=60    seconds after a run's last send to wait for every 202 to reach the target
#   DIAGNOSE=1          after the measured runs: one more max-rate load with jstack samples of the hub, summarized
#                       (where the hub's threads wait); never overlaps a measured run
#   PG_WRITER_THREADS=1 H2_WRITER_THREADS=1   JUNCTION_JOURNAL_WRITER_THREADS of the hub
#   RESULTS_FILE=bench/RESULTS.md   the "End-to-end delivery" section between <!-- e2e:start --> and <!-- e2e:end -->
#                       is replaced (or appended); the rest of the file is left alone
#   SKIP_BUILD=1        use the existing target/junction.jar
#   PG_PORT=55442       port of the private PostgreSQL cluster (a free one is picked if it is taken)
#   STARTUP_TIMEOUT=180 seconds to wait for the hub's /actuator/health to answer UP
#   HUB_JAVA_OPTS=-Xmx256m   JVM options for the hub (the heap README recommends for 2 cores; "" for the JVM default, 1/4 of RAM); LOAD_JAVA_OPTS="-Xmx1g" for the load generator
#   KEEP_WORK=1         keep the temp dir (hub logs, per-second timelines, jstacks) for inspection
#   VERDICTS_FILE=      append one line per verdict (script, target, subject, measured, MET | NOT MET): bench/run.sh's table
#
# Needs root (or sudo) only to apt-get install a JDK, curl and postgresql when missing. Everything else runs in a temp
# dir and talks to 127.0.0.1 only; the trap stops every hub and PostgreSQL process it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
LOADS=${LOADS:-30 50 80}
DATABASES=${DATABASES:-h2 pg}
CONCURRENCY=${CONCURRENCY:-50}
MAX_RUNS=${MAX_RUNS:-3}
MAX_DURATION=${MAX_DURATION:-10}
MAX_WARMUP=${MAX_WARMUP:-3}
HUB_WARMUP=${HUB_WARMUP:-30}
HUB_WARMUP_MAX=${HUB_WARMUP_MAX:-180}
WARMUP_STEP=15
MAX_RECHECK=${MAX_RECHECK:-1}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-60}
DIAGNOSE=${DIAGNOSE:-1}
H2_WRITER_THREADS=${H2_WRITER_THREADS:-1}
PG_WRITER_THREADS=${PG_WRITER_THREADS:-1}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
SKIP_BUILD=${SKIP_BUILD:-0}
PG_PORT=${PG_PORT:-55442}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx256m}
LOAD_JAVA_OPTS=${LOAD_JAVA_OPTS:--Xmx1g}
KEEP_WORK=${KEEP_WORK:-0}

# Bench-only credentials: the descriptor written below holds the SHA-256 of E2E_KEY. Never reuse them elsewhere.
E2E_KEY=e2e-key-7c41d9a2b6f0
OPS_KEY=e2e-ops-key-4d8a0c3f
PG_PASS=e2e-pg-pass
TARGET_P99_MS=100
TARGET_LOAD=50
TARGET_RSS_MB=512

bench_traps

wants_pg() { case " $DATABASES " in *" pg "*) return 0 ;; *) return 1 ;; esac; }

# ---------------------------------------------------------------------------------------------------------------
# Tools, build, bench files
# ---------------------------------------------------------------------------------------------------------------
# The bench-only partner: key hashed here, an effectively unlimited bucket, one event whose route calls the sink
# target (${E2E_SINK_URL}, the load generator's embedded HTTP server), a bulkhead of 16, default retry policy.
write_bench_files() {
    local sha
    sha=$(printf '%s' "$E2E_KEY" | sha256sum | cut -d' ' -f1)
    mkdir -p "$WORK/connectors" "$WORK/routes"
    cat >"$WORK/connectors/e2e.yaml" <<EOF
# Bench-only partner written by bench/e2e.sh. Never deploy it: its key is a constant in the script.
partner: e2e
displayName: End-to-end benchmark (bench only)
apiKeys:
  - id: e2e
    sha256: $sha
rateLimit: { capacity: 100000000, refillPerSecond: 100000000 }
maxBodyBytes: 1000000
delivery: { maxConcurrent: 16 }
events:
  order-created:
    route: e2e-order-created
    idempotencyKey: header:Idempotency-Key
targets:
  sink:
    url: \${E2E_SINK_URL}
    timeout: 5s
EOF
    cat >"$WORK/routes/e2e-order-created.yaml" <<'EOF'
# Happy path only: retries and dead letters are the hub's job.
- route:
    id: e2e-order-created
    from:
      uri: direct:e2e-order-created
      steps:
        - to:
            uri: target:e2e/sink?path=/in
EOF
    mkdir -p "$WORK/cls"
    javac -d "$WORK/cls" "$BENCH/E2eLoad.java" || die "cannot compile bench/E2eLoad.java"
}

# ---------------------------------------------------------------------------------------------------------------
# The hub and the load
# ---------------------------------------------------------------------------------------------------------------
start_hub() {  # db dir
    local db=$1 dir=$2 writers
    SINK_PORT=$(free_port)
    if [ "$db" = pg ]; then writers=$PG_WRITER_THREADS; else writers=$H2_WRITER_THREADS; fi
    launch_hub "$db" "$dir" "$writers" "$WORK/connectors" "$WORK/routes" E2E_SINK_URL="http://127.0.0.1:$SINK_PORT"
    log "$db hub UP on :$HUB_PORT in ${HUB_STARTUP}s (pid $HUB_PID, journal writers $writers, sink :$SINK_PORT)"
}

# One E2eLoad run against the current hub; prints its E2E_RESULT line with rss_mb (the hub's peak VmRSS during the run,
# sampled every 0.5 s) appended. Arguments: mode name extra-options...
run_load() {
    local mode=$1 name=$2 out line
    shift 2
    out="$DB_DIR/$name"
    rss_watch_start "$HUB_PID" "$out.rss_kb"
    # shellcheck disable=SC2086  # LOAD_JAVA_OPTS is a list of options
    java $LOAD_JAVA_OPTS -cp "$WORK/cls" E2eLoad "$mode" --hub "http://127.0.0.1:$HUB_PORT" --api-key "$E2E_KEY" \
        --ops-key "$OPS_KEY" --sink-port "$SINK_PORT" --hub-pid "$HUB_PID" --clk-tck "$(getconf CLK_TCK)" \
        --drain-timeout "$DRAIN_TIMEOUT" --timeline "$out.timeline.tsv" --label "$name" "$@" >"$out.txt" 2>"$out.log" \
        || { cat "$out.log" "$out.txt" >&2; die "E2eLoad $mode ($name) failed"; }
    line=$(grep '^E2E_RESULT' "$out.txt") || { cat "$out.log" >&2; die "E2eLoad printed no result ($name)"; }
    echo "$line rss_mb=$(rss_watch_stop)"
}

RESULTS_TSV=""   # db, round, load (max | max-end | percent), rate, E2E_RESULT line
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS_TSV"; }

check_delivered() {  # name result
    local u
    u=$(kv "$2" undelivered_all)
    [ "${u:-0}" = 0 ] || log "WARNING: $1: $u messages got a 202 but did not reach the target within ${DRAIN_TIMEOUT}s"
}

# Thread dumps of the hub under an unrecorded max-rate load, classified by where each thread waits.
diagnose() {  # db
    local db=$1 i pid
    log "$db diagnose: jstack samples of the hub under closed-loop load (not part of the figures)"
    (
        sleep 6
        for ((i = 1; i <= 6; i++)); do
            jstack "$HUB_PID" >"$DB_DIR/jstack-$i.txt" 2>/dev/null || true
            sleep 1
        done
    ) &
    pid=$!
    # In a subshell: a failed diagnosis only loses the diagnosis.
    (run_load max diagnose --concurrency "$CONCURRENCY" --warmup 2 --duration 12 >/dev/null) || log "WARNING: the diagnose load failed"
    wait "$pid" 2>/dev/null || true
    summarize_jstacks "$DB_DIR"/jstack-*.txt >"$DB_DIR/jstack-summary.tsv" || true
    sed "s/^/$db\t/" "$DB_DIR/jstack-summary.tsv" >>"$WORK/jstack-summary.tsv"
}

# "group<TAB>where<TAB>threads per dump" for the hub's delivery lanes, journal writer and Tomcat workers.
summarize_jstacks() {
    local n=$#
    [ "$n" -gt 0 ] || return 0
    awk -v n="$n" '
        function flush() {
            if (group == "") return
            where = "other: " (first != "" ? first : state)
            if (stack ~ /MVStore\.commit/ && state ~ /WAITING/) where = "waiting for the H2 store lock (MVStore.commit)"
            else if (stack ~ /org\.h2\.mvstore\.(FileStore|MVStore)\.(store|serialize|write|sync)/) where = "writing the H2 store (MVStore.store)"
            else if (stack ~ /org\.h2\./) where = "in H2 (other)"
            else if (stack ~ /HikariPool\.getConnection/) where = "waiting for a pooled connection (Hikari)"
            else if (stack ~ /org\.postgresql\./ && stack ~ /(doCommit|Connection\.commit)/) where = "in PostgreSQL: COMMIT (waits for the WAL flush)"
            else if (stack ~ /org\.postgresql\./) where = "in PostgreSQL: a statement"
            else if (stack ~ /HttpClientImpl\.send/) where = "waiting for the target (HTTP call)"
            else if (stack ~ /GroupCommitJournal\.append/) where = "waiting for the journal commit (202 pending)"
            else if (stack ~ /(TaskQueue\.(poll|take)|ThreadPoolExecutor\.getTask|ArrayBlockingQueue\.poll)/) where = "idle (waiting for work)"
            count[group "\t" where]++
            group = ""
        }
        /^"/ {
            flush()
            name = $0; sub(/^"/, "", name); sub(/".*/, "", name)
            if (name ~ /^deliver-/) group = "delivery lanes"
            else if (name ~ /^journal-writer/) group = "journal writer"
            else if (name ~ /^http-nio-.*-exec-/) group = "Tomcat workers"
            else group = ""
            state = ""; stack = ""; first = ""
            next
        }
        group != "" && /java.lang.Thread.State:/ { state = $0; sub(/.*State: /, "", state); next }
        group != "" && /^[ \t]+at / {
            f = $0; sub(/^[ \t]+at /, "", f); sub(/\(.*/, "", f)
            stack = stack f "\n"
            if (first == "" && f ~ /^dev\.junction\./) first = f
            next
        }
        END {
            flush()
            for (k in count) printf "%s\t%.1f\n", k, count[k] / n
        }' "$@" | sort -t$'\t' -k1,1 -k3,3gr
}

# Closed-loop load in steps until the hub stops getting faster (the JIT of a fresh hub on a busy machine takes a while).
warm_up() {  # db
    local db=$1 step=0 done_s=0 best=0 res rate rates=""
    [ "$HUB_WARMUP" -gt 0 ] || return 0
    while :; do
        step=$((step + 1))
        res=$(run_load max "hub-warmup$step" --concurrency "$CONCURRENCY" --warmup 0 --duration "$WARMUP_STEP")
        rate=$(kv "$res" ok_rps)
        done_s=$((done_s + WARMUP_STEP))
        rates="$rates${rates:+, }$rate"
        log "$db warm-up step $step (${done_s}s): 202 $rate/s"
        if [ "$done_s" -ge "$HUB_WARMUP" ] && awk -v r="$rate" -v b="$best" 'BEGIN { exit !(r <= 1.10 * b) }'; then break; fi
        if [ "$done_s" -ge "$HUB_WARMUP_MAX" ]; then log "$db warm-up: still getting faster after ${done_s}s (HUB_WARMUP_MAX)"; break; fi
        best=$(awk -v r="$rate" -v b="$best" 'BEGIN { print (r > b ? r : b) }')
    done
    printf '%s	%s	%s
' "$db" "$done_s" "$rates" >>"$WORK/warmup.tsv"
}

run_database() {  # db
    local db=$1 r i max maxres rate load res n recheck
    DB_DIR="$WORK/$db"
    mkdir -p "$DB_DIR"
    start_hub "$db" "$DB_DIR"

    warm_up "$db"

    for ((r = 1; r <= MAX_RUNS; r++)); do
        log "$db max $r/$MAX_RUNS: ${MAX_WARMUP}s + ${MAX_DURATION}s closed loop, $CONCURRENCY senders"
        maxres=$(run_load max "max$r" --concurrency "$CONCURRENCY" --warmup "$MAX_WARMUP" --duration "$MAX_DURATION")
        check_delivered "$db max $r" "$maxres"
        record "$db" "$r" max "$(kv "$maxres" ok_rps)" "$maxres"
        log "$db max $r/$MAX_RUNS: 202 $(kv "$maxres" ok_rps)/s (delivery meanwhile $(kv "$maxres" delivery_rps)/s, e2e p99 $(kv "$maxres" e2e_p99_ms) ms)"
    done
    max=$(max_of "$db" max)
    awk -v m="$max" 'BEGIN { exit !(m + 0 > 0) }' || die "$db: the max-rate search got no 202"
    log "$db max intake rate (median of $MAX_RUNS): $max req/s"

    local -a loads
    read -r -a loads <<<"$LOADS"
    n=${#loads[@]}
    for ((r = 1; r <= ROUNDS; r++)); do
        for ((i = 0; i < n; i++)); do
            load=${loads[$(((i + r - 1) % n))]}
            rate=$(awk -v m="$max" -v p="$load" 'BEGIN { printf "%.1f", m * p / 100 }')
            res=$(run_load rate "r$r-$load" --rate "$rate" --warmup "$WARMUP" --duration "$DURATION")
            check_delivered "$db round $r $load%" "$res"
            record "$db" "$r" "$load" "$rate" "$res"
            log "$db round $r $load% ($rate/s): 202 $(kv "$res" ok_rps)/s, delivered $(kv "$res" delivery_rps)/s, e2e p50 $(kv "$res" e2e_p50_ms) p99 $(kv "$res" e2e_p99_ms) ms, backlog $(kv "$res" pending_25)/$(kv "$res" pending_50)/$(kv "$res" pending_75)/$(kv "$res" pending_100) grows=$(kv "$res" backlog_grows), undelivered $(kv "$res" undelivered)"
        done
    done

    if [ "$MAX_RECHECK" = 1 ]; then
        recheck=$(run_load max max-end --concurrency "$CONCURRENCY" --warmup "$MAX_WARMUP" --duration "$MAX_DURATION")
        check_delivered "$db max-end" "$recheck"
        record "$db" 0 max-end "$(kv "$recheck" ok_rps)" "$recheck"
        log "$db max intake rate after the rounds: $(kv "$recheck" ok_rps) req/s"
    fi
    if [ "$DIAGNOSE" = 1 ]; then diagnose "$db"; fi
    stop_hub
    rm -rf "$DB_DIR/data"
}

# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------
# Values of one key for one database and load, one a line.
values() { awk -F'\t' -v d="$1" -v l="$2" '$1 == d && $3 == l { print $5 }' "$RESULTS_TSV" | while read -r line; do kv " $line" "$3"; done; }
med() { values "$1" "$2" "$3" | median; }
sum() { values "$1" "$2" "$3" | awk '{ t += ($1 ~ /^[0-9]+$/ ? $1 : 0) } END { print t + 0 }'; }
peak() { values "$1" "$2" "$3" | { grep -E '^[0-9.]+$' || true; } | sort -g | tail -1; }
count_yes() { values "$1" "$2" "$3" | grep -c '^yes$' || true; }
nruns() { awk -F'\t' -v d="$1" -v l="$2" '$1 == d && $3 == l' "$RESULTS_TSV" | wc -l | tr -d ' '; }
fmt() { awk -v v="$1" -v d="${2:-1}" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%." d "f\n", v }'; }
max_of() { awk -F'\t' -v d="$1" -v l="$2" '$1 == d && $3 == l { print $4 }' "$RESULTS_TSV" | median | grep -v '^-$' || true; }

# Medians per database and load: one row each.
summary_rows() {
    local db load rate runs
    for db in $DATABASES; do
        for load in max $LOADS; do
            runs=$(nruns "$db" "$load")
            [ "$runs" -gt 0 ] || continue
            if [ "$load" = max ]; then rate="closed loop, $CONCURRENCY senders"; else rate=$(med "$db" "$load" offered_rps); fi
            printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s/%s | %s | %s |\n' \
                "$db" "$([ "$load" = max ] && echo "max" || echo "$load%")" "$rate" \
                "$(fmt "$(med "$db" "$load" ok_rps)")" "$(fmt "$(med "$db" "$load" delivery_rps)")" \
                "$(fmt "$(med "$db" "$load" delivery_ratio)" 3)" \
                "$(fmt "$(med "$db" "$load" e2e_p50_ms)")" "$(fmt "$(med "$db" "$load" e2e_p90_ms)")" \
                "$(fmt "$(med "$db" "$load" e2e_p99_ms)")" "$(fmt "$(med "$db" "$load" e2e_max_ms)")" \
                "$(fmt "$(med "$db" "$load" intake_p50_ms)")" "$(fmt "$(med "$db" "$load" intake_p99_ms)")" \
                "$(fmt "$(med "$db" "$load" pending_100)" 0) / $(fmt "$(med "$db" "$load" inflight_100)" 0)" \
                "$(fmt "$(med "$db" "$load" backlog_slope_per_s)") / $(fmt "$(med "$db" "$load" inflight_slope_per_s)")" \
                "$(count_yes "$db" "$load" backlog_grows)" "$runs" "$(sum "$db" "$load" undelivered)" "$(fmt "$(peak "$db" "$load" rss_mb)")"
        done
    done
}

SUMMARY_HEADER='| db | load | offered req/s | 202/s | delivered/s | delivered / accepted | e2e p50 ms | e2e p90 ms | e2e p99 ms | e2e max ms | intake p50 ms | intake p99 ms | backlog at end (202s / sent) | backlog slope /s (202s / sent) | backlog grew (runs) | undelivered | hub peak RSS MiB |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'

print_table() {
    echo
    echo "Medians over $ROUNDS round(s) (max: over $MAX_RUNS runs)"
    { echo "$SUMMARY_HEADER"; summary_rows; } | sed 's/^| //; s/ |$//' | awk -F' \\| ' 'NR == 1 { print "db   load  offered/s                202/s  deliv/s  deliv/acc  e2e p50   p90      p99      max      intake p50  p99      backlog end  slope/s         grew  undeliv.  RSS MiB"; next }
        NR != 2 { printf "%-4s %-5s %-22s %7s %8s %9s %8s %8s %8s %8s %10s %8s %12s %15s %5s %8s %8s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 }'
    echo
}

verdicts() {
    local db p99 ratio grows runs undelivered max maxend p99r okr worst m rss ok_p99 ok_backlog ok_delivery ok_rss
    echo "- Contract, all runs: $(all_sum key_mismatch) deliveries whose \`Idempotency-Key\` was not the 202's receipt id, $(all_sum duplicates)"
    echo "  duplicate deliveries, $(all_sum undelivered_all) 202s that never reached the target, $(all_sum errors) failed requests, $(all_sum overflow) not sent (in-flight cap);"
    echo "  other statuses: $(all_list status_other)."
    for db in $DATABASES; do
        runs=$(nruns "$db" "$TARGET_LOAD")
        [ "$runs" -gt 0 ] || continue
        p99=$(med "$db" "$TARGET_LOAD" e2e_p99_ms)
        worst=$(values "$db" "$TARGET_LOAD" e2e_p99_ms | sort -g | tail -1)
        ratio=$(med "$db" "$TARGET_LOAD" delivery_ratio)
        okr=$(ratio "$(med "$db" "$TARGET_LOAD" ok_rps)" "$(med "$db" "$TARGET_LOAD" offered_rps)")
        grows=$(count_yes "$db" "$TARGET_LOAD" backlog_grows)
        undelivered=$(sum "$db" "$TARGET_LOAD" undelivered)
        max=$(max_of "$db" max)
        maxend=$(max_of "$db" max-end)
        p99r=$(ratio "$p99" "$TARGET_P99_MS")
        rss=$(for m in max "$TARGET_LOAD" $LOADS max-end; do peak "$db" "$m" rss_mb; done | sort -g | tail -1)
        ok_p99=$(awk -v p="$p99" -v t="$TARGET_P99_MS" 'BEGIN { print ((p != "-" && p + 0 < t) ? "MET" : "NOT MET") }')
        ok_backlog=$([ "$grows" = 0 ] && echo MET || echo "NOT MET")
        ok_delivery=$(awk -v r="$ratio" -v u="$undelivered" 'BEGIN { print ((r != "-" && r + 0 >= 0.99 && u == 0) ? "MET" : "NOT MET") }')
        ok_rss=$(awk -v r="${rss:--}" -v t="$TARGET_RSS_MB" 'BEGIN { print ((r != "-" && r + 0 < t) ? "MET" : "NOT MET") }')
        echo "- **$db** at $TARGET_LOAD% of the max intake rate ($(fmt "$max") req/s$([ -n "$maxend" ] && echo "; $(fmt "$maxend") req/s when measured again after the rounds, $(ratio "$maxend" "$max")x")):"
        echo "  - end-to-end p99 $(fmt "$p99") ms (median of $runs; worst run $(fmt "$worst") ms) = ${p99r}x the ${TARGET_P99_MS} ms target: **p99 < ${TARGET_P99_MS} ms: $ok_p99**"
        echo "  - backlog at 25/50/75/100% of the window, per run: 202s not yet delivered $(backlog_series "$db" "$TARGET_LOAD" pending); sent and not yet delivered $(backlog_series "$db" "$TARGET_LOAD" inflight); grew in $grows of $runs runs: **$([ "$grows" = 0 ] && echo "no growing backlog: MET" || echo "growing backlog: NOT MET")**"
        echo "  - delivery throughput / intake throughput in the window: $(fmt "$ratio" 3) (median; $undelivered of the measured 202s never reached the target): **delivery >= intake: $ok_delivery**; 202s / offered: ${okr}"
        echo "  - the hub's peak RSS over all measured runs (max and fixed-rate loads, sampled every 0.5 s): $(fmt "${rss:--}") MiB: **RSS < ${TARGET_RSS_MB} MiB: $ok_rss**"
        verdict e2e "e2e p99 < ${TARGET_P99_MS} ms at ${TARGET_LOAD}% load" "$db" "$(fmt "$p99") ms" "$ok_p99"
        verdict e2e "no growing backlog at ${TARGET_LOAD}% load" "$db" "grew in $grows of $runs" "$ok_backlog"
        verdict e2e "delivery >= intake at ${TARGET_LOAD}% load" "$db" "$(fmt "$ratio" 3)x, $undelivered undelivered" "$ok_delivery"
        verdict e2e "hub RSS < ${TARGET_RSS_MB} MiB" "$db (e2e)" "$(fmt "${rss:--}") MiB" "$ok_rss"
        echo "  - at saturation (the max runs, median $(fmt "$max") req/s accepted) the target received $(fmt "$(med "$db" max delivery_rps)")/s = $(fmt "$(med "$db" max delivery_ratio)" 3)x the 202 rate (median); backlog at the end of the window $(values "$db" max pending_100 | paste -sd' ' | sed 's/ /, /g') (per run), drained $(values "$db" max drain_ms | paste -sd' ' | sed 's/ /, /g') ms after the last send."
    done
}

# "a/b/c/d, e/f/g/h" for the runs of one database and load: backlog_series db load pending|inflight
backlog_series() {
    awk -F'\t' -v d="$1" -v l="$2" '$1 == d && $3 == l { print $5 }' "$RESULTS_TSV" | while read -r line; do
        line=" $line"
        echo "$(kv "$line" "${3}_25")/$(kv "$line" "${3}_50")/$(kv "$line" "${3}_75")/$(kv "$line" "${3}_100")"
    done | paste -sd';' | sed 's/;/; /g'
}

# Sum of a key over every recorded run; the distinct non-empty values of a key.
all_sum() { cut -f5 "$RESULTS_TSV" | while read -r line; do kv " $line" "$1"; done | awk '{ t += ($1 ~ /^[0-9]+$/ ? $1 : 0) } END { print t + 0 }'; }
all_list() {
    local v
    v=$(cut -f5 "$RESULTS_TSV" | while read -r line; do kv " $line" "$1"; done | grep -v '^-$' | sort -u | paste -sd' ' || true)
    echo "${v:-none}"
}

per_run_rows() {
    local db round load rate line
    while IFS=$'\t' read -r db round load rate line; do
        line=" $line"
        printf '| %s | %s | %s | %s | %s | %s | %s | %s/%s/%s/%s | %s/%s/%s | %s/%s/%s/%s | %s/%s/%s/%s | %s/%s/%s/%s | %s | %s | %s | %s/%s/%s | %s | %s |\n' \
            "$db" "$([ "$round" = 0 ] && echo - || echo "$round")" "$([ "$load" = max ] || [ "$load" = max-end ] && echo "$load" || echo "$load%")" \
            "$(kv "$line" offered_rps)" "$(kv "$line" ok_rps)" "$(kv "$line" delivery_rps)" "$(kv "$line" delivery_ratio)" \
            "$(kv "$line" e2e_p50_ms)" "$(kv "$line" e2e_p90_ms)" "$(kv "$line" e2e_p99_ms)" "$(kv "$line" e2e_max_ms)" \
            "$(kv "$line" intake_p50_ms)" "$(kv "$line" intake_p99_ms)" "$(kv "$line" intake_max_ms)" \
            "$(kv "$line" undelivered)" "$(kv "$line" errors)" "$(kv "$line" key_mismatch)" "$(kv "$line" duplicates)" \
            "$(kv "$line" pending_25)" "$(kv "$line" pending_50)" "$(kv "$line" pending_75)" "$(kv "$line" pending_100)" \
            "$(kv "$line" inflight_25)" "$(kv "$line" inflight_50)" "$(kv "$line" inflight_75)" "$(kv "$line" inflight_100)" \
            "$(kv "$line" backlog_grows)$([ "$(kv "$line" backlog_growing)" = - ] || echo " ($(kv "$line" backlog_growing))")" "$(kv "$line" hub_pending)" "$(kv "$line" loadgen_stall_max_ms)" \
            "$(kv "$line" hub_cpu_pct)" "$(kv "$line" loadgen_cpu_pct)" "$(kv "$line" machine_busy_pct)" "$(kv "$line" rss_mb)" "$(kv "$line" run)"
    done <"$RESULTS_TSV"
}

jstack_rows() {
    [ -s "$WORK/jstack-summary.tsv" ] || return 0
    awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$WORK/jstack-summary.tsv"
}

section() {
    local cmd skip=""
    if [ "$SKIP_BUILD" = 1 ]; then skip=" SKIP_BUILD=1"; fi
    cmd="HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\" ROUNDS=$ROUNDS DURATION=$DURATION WARMUP=$WARMUP LOADS=\"$LOADS\" DATABASES=\"$DATABASES\" CONCURRENCY=$CONCURRENCY MAX_RUNS=$MAX_RUNS MAX_DURATION=$MAX_DURATION MAX_WARMUP=$MAX_WARMUP HUB_WARMUP=$HUB_WARMUP HUB_WARMUP_MAX=$HUB_WARMUP_MAX MAX_RECHECK=$MAX_RECHECK DIAGNOSE=$DIAGNOSE DRAIN_TIMEOUT=$DRAIN_TIMEOUT$skip bench/e2e.sh"
    echo "<!-- e2e:start -->"
    echo "## End-to-end delivery"
    echo
    echo "Issues 3 and 4: webhook -> journal -> route -> partner HTTP target, at fixed rates of $(echo "$LOADS" | sed 's/\([0-9][0-9]*\)/\1%/g; s/ /, /g') of the maximum intake"
    echo "rate measured in the same session. Targets at ${TARGET_LOAD}%: end-to-end p99 < ${TARGET_P99_MS} ms, no growing backlog, delivery throughput >= intake throughput."
    echo
    echo "Generated by \`bench/e2e.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (session started $SESSION_START, $(awk -v s="$SESSION_EPOCH" -v e="$(date +%s)" 'BEGIN { printf "%.0f", (e - s) / 60 }') min)."
    echo "$([ "$ROUNDS" -lt 3 ] || [ "$DURATION" -lt 20 ] && echo "**A short run (ROUNDS=$ROUNDS, DURATION=${DURATION}s): a smoke test of the benchmark, not figures to quote.**")"
    echo
    echo "### Verdict"
    echo
    verdicts
    echo
    echo "### Medians"
    echo
    echo "$SUMMARY_HEADER"
    summary_rows
    echo
    echo "e2e = from the request's *scheduled* send time to its arrival at the target (same JVM clock); intake = scheduled send to the 202."
    echo "delivered / accepted = target arrivals during the measured window / 202s answered during it (1.0 in steady state)."
    echo "Backlog: 202s answered and not yet at the target (delivery falling behind), and requests sent and not yet at the target"
    echo "(also counts requests still waiting for their 202: intake falling behind). \"Grew\": either one's least-squares slope over the"
    echo "window exceeds max(1, 2% of the offered rate) per second and it ends higher than at 25% of the window by more than"
    echo "max(10, 100 ms of the offered rate) messages."
    echo
    echo "### Every run"
    echo
    echo "Rounds run every load once, in a rotated order; \`max\` rows are the closed-loop runs whose median 202 rate the fixed rates derive"
    echo "from, \`max-end\` the same measurement after the rounds (drift check, not used). Backlog columns: at 25/50/75/100% of the window from the load generator's"
    echo "records (\"grew (delivery)\" or \"(intake)\" says which backlog grew), and the hub's own counters (accepted - delivered) at 0/25/50/75/100%. Stall = longest the load generator overslept a"
    echo "1 ms sleep in the window (a stalled generator would inflate latencies). CPU: hub / load generator (100% = one core) / whole machine."
    echo
    echo "| db | round | load | offered /s | 202/s | delivered/s | deliv./acc. | e2e p50/p90/p99/max ms | intake p50/p99/max ms | undelivered/errors/key mismatches/duplicates | 202s not delivered 25/50/75/100% | sent not delivered 25/50/75/100% | grew | hub backlog | stall ms | CPU % | hub peak RSS MiB | run id |"
    echo "|---|---:|---|---:|---:|---:|---:|---|---|---|---|---|---|---|---:|---|---:|---|"
    per_run_rows
    echo
    if [ -s "$WORK/jstack-summary.tsv" ]; then
        echo "### Where the hub's threads are under closed-loop load (DIAGNOSE=1)"
        echo
        echo "Average threads per \`jstack\` dump (6 dumps, one a second) during an extra, unrecorded ${CONCURRENCY}-sender max-rate load after the rounds."
        echo
        echo "| db | threads | where | threads per dump |"
        echo "|---|---|---|---:|"
        jstack_rows
        echo
    fi
    echo "### Machine"
    echo
    machine_lines "; load average at start: $LOAD_START, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Database: H2 embedded (the hub's default, \`WRITE_DELAY=0\`)$(wants_pg && echo "; ${PG_SETTINGS:-PostgreSQL}, a private cluster on 127.0.0.1 with data under /tmp")"
    echo "- The machine is shared: other processes (builds, tests, other benchmarks) may run meanwhile, hence interleaved rounds and medians."
    echo
    echo "### How to reproduce"
    echo
    echo "This section alone (\`bench/run.sh\` runs \`bench/intake.sh\`, then this, after one build, and prints every verdict):"
    echo
    echo '```'
    echo "$cmd"
    echo '```'
    echo
    echo "- The hub: \`java -jar target/junction.jar\` from the project root with \`JUNCTION_CONNECTORS_DIR\` / \`JUNCTION_ROUTES_DIR\` pointing at a"
    echo "  bench-only partner \`e2e\` written to a temp dir (hashed key, bucket of 10^8 refilled at 10^8/s, \`delivery: { maxConcurrent: 16 }\`,"
    echo "  default retry policy, event \`order-created\` -> route \`e2e-order-created\` -> \`to: target:e2e/sink?path=/in\`, target \`sink\`"
    echo "  with \`url: \${E2E_SINK_URL}\` and \`timeout: 5s\`), a fresh \`JUNCTION_DATA_DIR\`, \`SERVER_PORT\`, and for PostgreSQL"
    echo "  \`SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:<port>/junction\` (database recreated for the hub). One hub per database,"
    echo "  warmed up with unrecorded closed-loop load (at least ${HUB_WARMUP}s, until it stops getting faster, at most ${HUB_WARMUP_MAX}s),"
    echo "  stopped at the end."
    echo "- The load: \`java bench/E2eLoad.java max|rate --hub http://127.0.0.1:<hub port> --api-key <key> --sink-port <port> ...\`:"
    echo "  one JVM runs the target (JDK HttpServer, 32 threads, answers 200) and the partner (java.net.http async client, 1 KiB JSON,"
    echo "  unique \`Idempotency-Key\` and \`X-Correlation-Id\` per request). \`max\`: $CONCURRENCY closed-loop senders, ${MAX_WARMUP}s + ${MAX_DURATION}s;"
    echo "  the median 202 rate of $MAX_RUNS such runs is the max. \`rate\`: open loop, request i sent at t0 + i/R whatever happened to earlier ones,"
    echo "  ${WARMUP}s warm-up + ${DURATION}s measured; then it waits up to ${DRAIN_TIMEOUT}s for every 202 to reach the target."
    echo "  The target also checks that the \`Idempotency-Key\` it receives is the 202's receipt id."
    echo "- The load generator shares the $(nproc) cores with the hub (and with the database); its CPU is in the per-run table."
    echo "- Hub peak RSS: VmRSS from \`/proc/<hub pid>/status\`, sampled every 0.5 s during each max-rate and fixed-rate run (drain included)."
    if [ -s "$WORK/warmup.tsv" ]; then
        awk -F'\t' '{ printf "- Warm-up of the %s hub: %s s of closed-loop load in %s s steps, 202/s per step: %s.\n", $1, $2, step, $3 }' step="$WARMUP_STEP" "$WORK/warmup.tsv"
    fi
    echo "<!-- e2e:end -->"
}

# ---------------------------------------------------------------------------------------------------------------
main() {
    SESSION_START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    SESSION_EPOCH=$(date +%s)
    LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
    if wants_pg; then install_tools jdk curl sha256sum postgresql; else install_tools jdk curl sha256sum; fi
    build
    WORK=$(mktemp -d /tmp/jx-e2e.XXXXXX)
    chmod 711 "$WORK"
    RESULTS_TSV="$WORK/results.tsv"
    : >"$RESULTS_TSV"
    write_bench_files
    if wants_pg; then start_pg "$WORK/pgcluster"; fi
    log "databases: $DATABASES; $ROUNDS round(s) of $LOADS% of max (WARMUP=${WARMUP}s DURATION=${DURATION}s); work dir $WORK"
    local db
    for db in $DATABASES; do
        case "$db" in h2 | pg) run_database "$db" ;; *) die "unknown database '$db' (h2, pg)" ;; esac
    done
    print_table
    section >"$WORK/section.md"
    write_section e2e "$WORK/section.md" "$RESULTS_FILE"
    log "wrote the e2e section of $RESULTS_FILE"
}

main "$@"
