#!/usr/bin/env bash
# Sync pull benchmark (issue 13, "Speed", first goal): a pull of N=100,000 records from a local paged source with
# pageSize 500, in records/s, next to the hub's webhook intake rate measured against the same hub in the same run;
# goal: pull >= 2x intake (a page of 500 records is one commit, a webhook is one).
#
# The source is bench/PagedSource.java, a separate JVM (JDK HttpServer, 4 handler threads, on 127.0.0.1) holding N
# records of ~300 bytes of JSON in memory, in runs of equal updatedAt values, honouring updated_since/after_id/limit
# in (updatedAt, id) order. Each round is pulled by its own sync job (partner bench-sync-<r>, job `products`, path
# /r<k>/products): the source answers an empty page on a round's path until the round is opened, so every job's
# startup run finds nothing, and each measured run journals N new messages (new keys: one partner per round) rather
# than finding N duplicates. The event's route is a no-op (a DEBUG log line).
#
# Per hub (one per database and delivery variant, fresh database): an unmeasured warm-up (a pull of round 0 and
# WARMUP seconds of wrk), then ROUNDS rounds of two measures in alternating order:
#   pull    POST /ops/sync-jobs/bench-sync-<r>/products/run after opening the round at the source, polled on .../runs
#           until the run finished; records/s = records / (finishedAt - startedAt) of the run (the hub's own clock),
#           and the client's wall time from the POST until it saw the run finished (polled every 0.2 s). Checks: outcome
#           completed, records = journaled = N, pages = N/500 + 1.
#   intake  wrk -t2 -c50 -dDURATION against POST /webhooks/bench-1/order-created, 1 KiB JSON bodies, unique
#           Idempotency-Key (bench/intake.lua, as bench/intake.sh does); records/s = wrk's 2xx requests/s (one record
#           per request). Checks: no error response.
# With delivery on (variant `on`, the default configuration), after each measure the script waits until every
# message is delivered (/ops/partners counts none accepted/retrying/awaiting-callback), so one measure's delivery does
# not spill into the next; the measure itself includes delivery competing for the CPU, as in production. Variant `off`
# (JUNCTION_DELIVERY_ENABLED=false) isolates the pull and the intake from delivery, though not quite: nothing is
# delivered, so the backlog a sync job counts before each page (up to maxBacklog) grows with the run.
#
#   bench/sync-pull.sh                          # DB=both, VARIANTS="on off", 3 rounds, N=100,000
#   QUICK=1 bench/sync-pull.sh                  # N=20,000, 1 round, H2, delivery on, results not written: checks it works
#   SKIP_BUILD=1 DB=pg VARIANTS=on ROUNDS=5 bench/sync-pull.sh
#
# Settings (environment):
#   DB=both (h2 | pg | both)   VARIANTS="on off"   ROUNDS=3   N=100000   PAGE_SIZE=500
#   DURATION=15 (seconds of each measured wrk run)   WARMUP=20 (seconds of unmeasured wrk per hub)
#   MAX_BACKLOG=10000000 (the jobs' maxBacklog: high, so a pull that outruns delivery is measured, not paused)
#   DRAIN_SECONDS=900 (longest wait for delivery to catch up)   SOURCE_THREADS=4
#   JAR (or HUB_JAR)=target/junction.jar   SKIP_BUILD=0   HUB_JAVA_OPTS=-Xmx512m   SOURCE_JAVA_OPTS=-Xmx512m
#   RESULTS_FILE=bench/RESULTS.md (section between <!-- sync-pull:start --> and <!-- sync-pull:end -->)
#   WRITE_RESULTS=1 (QUICK=1: 0)   KEEP_WORK=0   STARTUP_TIMEOUT=180   PG_PORT=55435
#   JFR_DIR= (a directory: each hub records a flight recording there, sync-pull-<db>-<variant>.jfr, JFR's default
#            settings, for where the time goes: `jfr print --events jdk.ExecutionSample` or `jfr summary`)
#
# Everything runs in a temp dir and talks to 127.0.0.1 only; the trap stops the hub, the source and the PostgreSQL
# cluster it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    DB=${DB:-h2} VARIANTS=${VARIANTS:-on} ROUNDS=${ROUNDS:-1} N=${N:-20000} DURATION=${DURATION:-5} WARMUP=${WARMUP:-5}
    WRITE_RESULTS=${WRITE_RESULTS:-0}
fi
DB=${DB:-both}
VARIANTS=${VARIANTS:-on off}
ROUNDS=${ROUNDS:-3}
N=${N:-100000}
PAGE_SIZE=${PAGE_SIZE:-500}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
MAX_BACKLOG=${MAX_BACKLOG:-10000000}
DRAIN_SECONDS=${DRAIN_SECONDS:-900}
SOURCE_THREADS=${SOURCE_THREADS:-4}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx512m}
SOURCE_JAVA_OPTS=${SOURCE_JAVA_OPTS:--Xmx512m}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
WRITE_RESULTS=${WRITE_RESULTS:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
PG_PORT=${PG_PORT:-55435}
JFR_DIR=${JFR_DIR:-}
THREADS=2
CONNECTIONS=50
BODY=1024

case "$DB" in h2) DBS=(h2) ;; pg) DBS=(pg) ;; both) DBS=(h2 pg) ;; *) die "DB must be h2, pg or both" ;; esac
for v in $VARIANTS; do case "$v" in on | off) ;; *) die "VARIANTS holds on and/or off, not '$v'" ;; esac; done

# Bench-only credentials. Never reuse them elsewhere.
OPS_KEY=sync-pull-ops-key-9e3c51a7
PG_PASS=bench-pg-pass
SOURCE_PID=""

bench_traps
# The source too: stopped first, then bench_cleanup with the script's exit status.
sync_cleanup() {
    local rc=$?
    # (exit "$rc") below hands the status on to bench_cleanup: neither an error to report nor a reason to stop here.
    set +e
    trap - ERR
    [ -z "$SOURCE_PID" ] || stop_pid "$SOURCE_PID" 5
    (exit "$rc")
    bench_cleanup
}
trap sync_cleanup EXIT
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
COMMAND="$*"
tools=(jdk curl wrk sha256sum)
[[ " ${DBS[*]} " == *" pg "* ]] && tools+=(postgresql)
install_tools "${tools[@]}"
build
WORK=$(mktemp -d /tmp/jx-sync-pull.XXXXXX)
chmod 711 "$WORK"   # the postgres account reaches its cluster dir inside
RESULTS_TSV="$WORK/results.tsv"
: >"$RESULTS_TSV"
RUN_ID=s$(date +%H%M%S)

# The source: compiled once (not the single-file launcher, which would compile in the measured JVM).
mkdir -p "$WORK/cls"
javac -d "$WORK/cls" "$BENCH/PagedSource.java"
SOURCE_PORT=$(free_port)
# shellcheck disable=SC2086  # a list of JVM options
java $SOURCE_JAVA_OPTS -cp "$WORK/cls" PagedSource "$SOURCE_PORT" "$N" "$SOURCE_THREADS" >"$WORK/source.log" 2>&1 &
SOURCE_PID=$!
for ((i = 0; i < 120; i++)); do
    grep -q '^READY' "$WORK/source.log" && break
    kill -0 "$SOURCE_PID" 2>/dev/null || { cat "$WORK/source.log" >&2; die "PagedSource exited"; }
    sleep 0.25
done
grep -q '^READY' "$WORK/source.log" || die "PagedSource did not start"
log "source: $(head -1 "$WORK/source.log")"
SOURCE_URL="http://127.0.0.1:$SOURCE_PORT"

if [[ " ${DBS[*]} " == *" pg "* ]]; then
    start_pg "$WORK/pg"
    log "$PG_SETTINGS"
fi

# The routes: the intake benchmark's no-op route, and the sync event's (also a DEBUG log line).
mkdir -p "$WORK/routes"
cp "$BENCH/routes/bench-order-created.yaml" "$WORK/routes/"
cat >"$WORK/routes/bench-sync-product.yaml" <<'EOF'
# Bench-only route of bench/sync-pull.sh: a no-op beyond a DEBUG log line (not printed at INFO).
- route:
    id: bench-sync-product
    from:
      uri: direct:bench-sync-product
      steps:
        - log:
            message: "bench sync record ${header.Idempotency-Key} received"
            loggingLevel: DEBUG
EOF

# The connectors of hub number $1: the intake partner bench-1 (bench/lib.sh), and partners bench-sync-0..ROUNDS, each
# with a sync job on its own path of the source (/r<hub*100+round>/products).
connectors_for() {  # hub-index
    local h=$1 dir="$WORK/connectors-$1" r
    mkdir -p "$dir"
    cp "$(partners_dir 1)/bench-1.yaml" "$dir/"
    for ((r = 0; r <= ROUNDS; r++)); do
        cat >"$dir/bench-sync-$r.yaml" <<EOF
# Bench-only partner generated by bench/sync-pull.sh: a paged source on 127.0.0.1 pulled by the hub.
partner: bench-sync-$r
displayName: Sync pull benchmark, round $r (bench only)
events:
  product-changed:
    route: bench-sync-product
targets:
  catalog:
    url: $SOURCE_URL
    timeout: 30s
syncJobs:
  products:
    schedule: 1h
    maxBacklog: $MAX_BACKLOG
    event: product-changed
    source:
      http:
        target: catalog
        path: /r$((h * 100 + r))/products
        params: { updated_since: "\${cursor}", after_id: "\${id}", limit: "\${pageSize}" }
        pageSize: $PAGE_SIZE
        records: \$.items
        cursor: \$.updatedAt
        id: \$.id
EOF
    done
    echo "$dir"
}

hub_url() { echo "http://127.0.0.1:$HUB_PORT$1"; }
ops_get() { curl -fsS -m 30 -H "X-API-Key: $OPS_KEY" "$(hub_url "$1")"; }
ops_post() { curl -fsS -m 30 -X POST -H "X-API-Key: $OPS_KEY" -H 'Content-Type: application/json' "$(hub_url "$1")" "${@:2}"; }
# A flat field of the first object in a JSON text (the hub's compact JSON): its value without quotes.
jfield() { sed -n "s/^[^{]*{[^{]*\"$2\":\(\"[^\"]*\"\|[^,}]*\).*/\1/p" <<<"$1" | head -1 | tr -d '"'; }
epoch() { date -u -d "$1" +%s.%N; }
now() { date +%s.%N; }
secs_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Waits until no sync job runs (the startup runs), so a run now is not refused.
wait_jobs_idle() {
    local i
    for ((i = 0; i < 600; i++)); do
        ops_get /ops/sync-jobs | grep -q '"state":"running"' || return 0
        sleep 0.5
    done
    die "sync jobs still running after 300 s"
}

# Undelivered messages of every partner (what delivery still owes).
undelivered() {
    ops_get /ops/partners | grep -o '"\(accepted\|retrying\|awaiting-callback\)":[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}

# Waits for delivery to catch up (variant on); prints the seconds it took.
drain() {
    local start left
    start=$(now)
    while left=$(undelivered) && [ "$left" -gt 0 ]; do
        awk -v s="$start" -v e="$(now)" -v m="$DRAIN_SECONDS" 'BEGIN { exit !(e - s > m) }' && die "$left messages undelivered after ${DRAIN_SECONDS}s"
        sleep 1
    done
    secs_between "$start" "$(now)"
}

# One pull of round r on hub h; prints "records_per_s hub_s wall_s details".
pull() {  # h r
    local h=$1 r=$2 job="/ops/sync-jobs/bench-sync-$2/products" before after run id prev t0 t1 i started finished hub_s wall
    local pages records journaled outcome stats c0 c1 b0 b1
    prev=$(jfield "$(ops_get "$job/runs?limit=1")" runId)
    curl -fsS -m 10 -X POST "$SOURCE_URL/admin/open?round=$((h * 100 + r))" >/dev/null
    b0=$(cpu_sample) c0=$(proc_ticks "$HUB_PID")
    t0=$(now)
    ops_post "$job/run" >/dev/null || die "run now of bench-sync-$r refused"
    for ((i = 0; ; i++)); do
        run=$(ops_get "$job/runs?limit=1")
        id=$(jfield "$run" runId)
        if [ "$id" != "$prev" ] && [ "$(jfield "$run" outcome)" != running ]; then break; fi
        [ "$i" -lt 18000 ] || die "the run of bench-sync-$r did not finish within an hour"
        sleep 0.2
    done
    t1=$(now)
    c1=$(proc_ticks "$HUB_PID") b1=$(cpu_sample)
    started=$(jfield "$run" startedAt) finished=$(jfield "$run" finishedAt)
    pages=$(jfield "$run" pages) records=$(jfield "$run" records) journaled=$(jfield "$run" journaled) outcome=$(jfield "$run" outcome)
    [ "$outcome" = completed ] && [ "$records" = "$N" ] && [ "$journaled" = "$N" ] \
        || die "run of bench-sync-$r: outcome $outcome, $records records, $journaled journaled (expected completed, $N, $N): $run"
    hub_s=$(secs_between "$(epoch "$started")" "$(epoch "$finished")")
    wall=$(secs_between "$t0" "$t1")
    stats=$(curl -fsS -m 10 "$SOURCE_URL/admin/stats?round=$((h * 100 + r))")
    echo "$(awk -v n="$N" -v s="$hub_s" 'BEGIN { printf "%.1f", n / s }') $hub_s $wall pages=$pages;source_requests=$(kv " $stats" requests);source_ms=$(kv " $stats" serve_ms);source_mean_page_ms=$(kv " $stats" mean_page_ms);source_max_page_ms=$(kv " $stats" max_page_ms);hub_cpu=$(awk -v t="$((c1 - c0))" -v s="$wall" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * t / hz / s }')%;machine_cpu=$(machine_busy_pct "$b0" "$b1")%"
}

# One wrk run of intake; prints "req_per_s seconds - details".
intake() {  # seconds out-file
    local seconds=$1 out=$2 res errs c0 c1 b0 b1
    b0=$(cpu_sample) c0=$(proc_ticks "$HUB_PID")
    BENCH_PARTNERS=1 BENCH_BODY_BYTES=$BODY BENCH_RUN_ID="$RUN_ID-$(date +%s%N)" \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency -s "$BENCH/intake.lua" "$(hub_url "")" >"$out" 2>&1 \
        || { cat "$out" >&2; die "wrk"; }
    c1=$(proc_ticks "$HUB_PID") b1=$(cpu_sample)
    res=$(grep '^WRK_RESULT' "$out") || { cat "$out" >&2; die "wrk printed no result"; }
    errs=$(($(kv " $res" status_errors) + $(kv " $res" connect_errors) + $(kv " $res" read_errors) + $(kv " $res" write_errors) + $(kv " $res" timeouts)))
    [ "$errs" = 0 ] || die "intake: $errs failed requests ($res)"
    echo "$(kv " $res" rps) $seconds - requests=$(kv " $res" requests);p50_ms=$(awk -v u="$(kv " $res" p50_us)" 'BEGIN { printf "%.1f", u / 1000 }');p99_ms=$(awk -v u="$(kv " $res" p99_us)" 'BEGIN { printf "%.1f", u / 1000 }');hub_cpu=$(awk -v t="$((c1 - c0))" -v s="$seconds" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f", 100 * t / hz / s }')%;machine_cpu=$(machine_busy_pct "$b0" "$b1")%"
}

record() {  # db variant round measure "per_s seconds wall details" [drain]
    local per_s seconds wall details
    read -r per_s seconds wall details <<<"$5"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$per_s" "$seconds" "$wall" "$details;drain_s=${6:--};load1=$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS_TSV"
    log "$1/$2 round $3 $4: $per_s records/s ($seconds s; $details; drain ${6:--} s)"
}

hub_index=0
run_hub() {  # db variant
    local db=$1 variant=$2 dir="$WORK/$1-$2" connectors res d r m order
    local -a extra=()
    hub_index=$((hub_index + 1))
    connectors=$(connectors_for "$hub_index")
    [ "$variant" = off ] && extra+=(JUNCTION_DELIVERY_ENABLED=false)
    log "== $db / delivery $variant: starting the hub"
    local opts=$HUB_JAVA_OPTS
    [ -z "$JFR_DIR" ] || HUB_JAVA_OPTS="$HUB_JAVA_OPTS -XX:StartFlightRecording=filename=$JFR_DIR/sync-pull-$db-$variant.jfr"
    launch_hub "$db" "$dir" 1 "$connectors" "$WORK/routes" "${extra[@]}"
    HUB_JAVA_OPTS=$opts
    log "hub UP in ${HUB_STARTUP}s on port $HUB_PORT"
    wait_jobs_idle
    log "warm-up: a pull of $N records (round 0) and ${WARMUP}s of wrk"
    res=$(pull "$hub_index" 0)
    log "warm-up pull: $res"
    [ "$variant" = off ] || log "warm-up drain: $(drain) s"
    intake "$WARMUP" "$dir/wrk-warmup.txt" >/dev/null
    [ "$variant" = off ] || log "warm-up drain: $(drain) s"
    for ((r = 1; r <= ROUNDS; r++)); do
        if ((r % 2)); then order="pull intake"; else order="intake pull"; fi
        for m in $order; do
            if [ "$m" = pull ]; then res=$(pull "$hub_index" "$r"); else res=$(intake "$DURATION" "$dir/wrk-$r.txt"); fi
            d=-
            [ "$variant" = off ] || d=$(drain)
            record "$db" "$variant" "$r" "$m" "$res" "$d"
        done
    done
    if grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -qv 'HealthIndicator'; then
        log "hub log warnings/errors on $db/$variant:"; grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -v 'HealthIndicator' | tail -5 >&2
    fi
    stop_hub
}

for db in "${DBS[@]}"; do
    for variant in $VARIANTS; do
        run_hub "$db" "$variant"
    done
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------
vals() { awk -F'\t' -v d="$1" -v v="$2" -v m="$3" -v c="${4:-5}" '$1 == d && $2 == v && $4 == m { print $c }' "$RESULTS_TSV"; }
detail() { awk -F'\t' -v d="$1" -v v="$2" -v m="$3" -v k="$4" '$1 == d && $2 == v && $4 == m {
    n = split($8, a, ";"); for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) { x = substr(a[i], length(k) + 2); sub(/%$/, "", x); print x } }' "$RESULTS_TSV"; }
minmax() { { grep -E '^-?[0-9.]*[0-9][0-9.eE+-]*$' || true; } | sort -g | awk -v f="${1:-%s}" 'NR == 1 { a = $1 } { b = $1 } END { if (NR) printf f "-" f, a, b; else printf "-" }'; }
fmt() { awk -v x="$1" -v f="${2:-%.0f}" 'BEGIN { if (x == "-") print "-"; else printf f "\n", x }'; }
cell() { local v; v=$(cat); printf '%s (%s)' "$(fmt "$(median <<<"$v")" "${1:-%.0f}")" "$(minmax "${1:-%.0f}" <<<"$v")"; }
round_ratios() {  # db variant: pull records/s / intake records/s, per round
    awk -F'\t' -v d="$1" -v v="$2" '$1 == d && $2 == v && $4 == "pull" { a[$3] = $5 } $1 == d && $2 == v && $4 == "intake" { b[$3] = $5 }
        END { for (r in a) if ((r in b) && b[r] > 0) printf "%.2f\n", a[r] / b[r] }' "$RESULTS_TSV"
}
verdict_of() { awk -v x="$1" -v g="$2" 'BEGIN { if (x == "-") print "n/a"; else if (x + 0 >= g + 0) print "**MET**"; else print "**NOT MET**" }'; }

SECTION="$WORK/section.md"
{
    echo "<!-- sync-pull:start -->"
    echo "## Sync jobs: pull of $N records (pageSize $PAGE_SIZE) vs webhook intake"
    echo
    echo "Issue 13, \"Speed\": a pull of $N records from a local paged source, records/s next to the hub's webhook intake rate"
    echo "in the same run; goal pull >= 2x intake (a page is one commit). Written by \`bench/sync-pull.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "(started $STARTED_AT), hub \`$(basename "$HUB_JAR")\` with \`$HUB_JAVA_OPTS\`."
    [ "$ROUNDS" -ge 3 ] || echo "**A short run (ROUNDS=$ROUNDS): a check of the benchmark, not figures to quote.**"
    echo
    echo '```'
    echo "$([ -z "$JFR_DIR" ] || echo "JFR_DIR=$JFR_DIR ")DB=$DB VARIANTS=\"$VARIANTS\" ROUNDS=$ROUNDS N=$N PAGE_SIZE=$PAGE_SIZE DURATION=$DURATION WARMUP=$WARMUP MAX_BACKLOG=$MAX_BACKLOG HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\"$([ "$SKIP_BUILD" != 1 ] || echo " SKIP_BUILD=1") bench/sync-pull.sh $COMMAND"
    echo '```'
    echo
    echo "What is compared, on the same hub and database, in interleaved rounds (pull then intake, then intake then pull, ...):"
    echo "- **pull**: one run of a sync job (\`POST /ops/sync-jobs/bench-sync-<r>/products/run\`) pulling $N records of ~300 bytes"
    echo "  of JSON from \`bench/PagedSource.java\` (a separate JVM on 127.0.0.1, JDK HttpServer, $SOURCE_THREADS handler threads, records"
    echo "  in memory in runs of 1 to 1,237 equal \`updatedAt\` values) in $((N / PAGE_SIZE + 1)) pages of $PAGE_SIZE (the last one empty);"
    echo "  each page's records and the checkpoint commit in one transaction. records/s = $N / (finishedAt - startedAt) of the run"
    echo "  as the hub records it; the client's wall time (POST to seeing it finished, polled every 0.2 s) is in the table too."
    echo "  Every run is checked: completed, $N records, $N journaled (new messages; each round has its own job and partner, so"
    echo "  its keys are new), and the route delivers each message to a DEBUG \`log:\` step."
    echo "- **intake**: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s\` with \`bench/intake.lua\` (as \`bench/intake.sh\`): \`POST /webhooks/bench-1/order-created\`,"
    echo "  $BODY-byte JSON bodies, a unique \`Idempotency-Key\` each, one record per request, each acknowledged after its commit;"
    echo "  records/s = wrk's requests/s (no error allowed). The same no-op route delivers them."
    echo "- Delivery \`on\`: the hub as deployed; delivery of the just-journaled messages competes with the measure for the two"
    echo "  cores; after each measure the script waits until all are delivered (\`drain_s\`) before the next. Delivery \`off\`"
    echo "  (\`JUNCTION_DELIVERY_ENABLED=false\`): the pull and the intake alone."
    echo "- The jobs' \`maxBacklog\` is $MAX_BACKLOG so that a pull outrunning delivery is measured rather than paused (with the"
    echo "  default 10,000, a run stops with \`backpressure\` once delivery falls 10,000 behind)."
    echo
    echo "### Verdict (median of per-round ratios, min-max)"
    echo
    echo "| db | delivery | pull records/s | intake records/s | pull / intake | goal | verdict |"
    echo "|---|---|---|---|---|---|---|"
    for db in "${DBS[@]}"; do
        for variant in $VARIANTS; do
            [ -n "$(vals "$db" "$variant" pull)" ] || continue
            rr=$(round_ratios "$db" "$variant")
            m=$(median <<<"$rr")
            echo "| $db | $variant | $(vals "$db" "$variant" pull | cell) | $(vals "$db" "$variant" intake | cell) | ${m}x ($(minmax %.2f <<<"$rr")) | >= 2x | $(verdict_of "$m" 2) |"
            verdict sync-pull.sh "pull >= 2x intake (delivery $variant)" "$db" "${m}x" "$(verdict_of "$m" 2 | tr -d '*')"
        done
    done
    echo
    echo "### Details (medians, min-max)"
    echo
    echo "| db | delivery | pull s (hub) | pull s (client wall) | hub CPU during pull | source ms per page (mean) | source ms in the run | share of the run at the source | intake p99 ms | hub CPU during intake | drain after pull s | drain after intake s |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
    for db in "${DBS[@]}"; do
        for variant in $VARIANTS; do
            [ -n "$(vals "$db" "$variant" pull)" ] || continue
            share=$(awk -F'\t' -v d="$db" -v v="$variant" '$1 == d && $2 == v && $4 == "pull" { n = split($8, a, ";");
                for (i = 1; i <= n; i++) if (index(a[i], "source_ms=") == 1) printf "%.1f\n", substr(a[i], 11) / 10 / $6 }' "$RESULTS_TSV")
            echo "| $db | $variant | $(vals "$db" "$variant" pull 6 | cell %.2f) | $(vals "$db" "$variant" pull 7 | cell %.2f) |" \
                "$(detail "$db" "$variant" pull hub_cpu | cell)% | $(detail "$db" "$variant" pull source_mean_page_ms | cell %.2f) |" \
                "$(detail "$db" "$variant" pull source_ms | cell) | $(cell %.1f <<<"$share")% | $(detail "$db" "$variant" intake p99_ms | cell %.1f) |" \
                "$(detail "$db" "$variant" intake hub_cpu | cell)% | $(detail "$db" "$variant" pull drain_s | cell %.1f) | $(detail "$db" "$variant" intake drain_s | cell %.1f) |"
        done
    done
    echo
    echo "Hub CPU: 100% = one core (the machine has $(nproc)). Source ms per page: the source's own time per request, from its"
    echo "handler's start to the body written (JSON assembly and the socket write); \"share of the run at the source\" = the sum"
    echo "of those over the run's wall time on the hub."
    [ ! -f "$BENCH/ANALYSIS-sync-pull.md" ] || echo "Where the time goes (JFR profiles of the hubs): [ANALYSIS-sync-pull.md](ANALYSIS-sync-pull.md)."
    echo
    echo "### Machine"
    echo
    machine_lines "; load average at the start: $LOAD_START, at the end: $LOAD_END"
    [ -n "$PG_SETTINGS" ] && echo "- $PG_SETTINGS; a private cluster on 127.0.0.1, data under /tmp, fresh database per hub"
    echo "- The machine is shared with other sessions' builds and tests: hence interleaved rounds, medians, and the 1-minute load"
    echo "  average and whole-machine CPU (\`machine_cpu\`, ours included) per measure below."
    echo
    echo "### Every measure"
    echo
    echo '```'
    printf 'db\tdelivery\tround\tmeasure\trecords_per_s\tseconds\twall_s\tdetails\n'
    cat "$RESULTS_TSV"
    echo '```'
    echo "<!-- sync-pull:end -->"
} >"$SECTION"

cat "$SECTION" >&2
if [ "$WRITE_RESULTS" = 1 ]; then
    write_section sync-pull "$SECTION" "$RESULTS_FILE"
    log "section 'sync-pull' written to $RESULTS_FILE"
else
    log "results not written (WRITE_RESULTS=0)"
fi
