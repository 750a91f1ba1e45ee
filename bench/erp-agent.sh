#!/usr/bin/env bash
# ERP agents benchmark (issue 12, "Speed"): reconciliation by range checksums against a full fetch, and orders to the
# agent with a delayed callback. One hub per database (bench/erp/agent/connectors: the bench-erp vendor with an agent
# section and the bench-shop partner whose order-placed route ends in agent:bench-erp/orders, maxConcurrent 8), and
# bench/AgentBench.java playing the vendor's agent over real HTTP (a JDK HttpServer on 127.0.0.1):
#
#   reconciliation  the hub's mirror seeded with ITEMS items through POST /agents/bench-erp/items/batch (batches of
#                   1,000, after the mapping import), the agent holding the same records; one unmeasured reconcile
#                   without drift (must fetch nothing: the hashes agree) and one unmeasured full fetch; then ROUNDS
#                   rounds of two measures, in alternating order, each after DRIFT fresh items changed at the agent:
#                   `reconcile` (POST /ops/erp/bench-erp/reconcile, polled every 20 ms until its rows are finished;
#                   requests and records counted at the agent and compared with the run's row) and `full` (every
#                   page of the agent's records endpoint, limit 1,000, pushed through the batch endpoint: a naive resync).
#                   Checks: items drifted = repaired = DRIFT, nothing deleted, no error, the drifted records' hashes at
#                   the hub are the agent's; the full fetch counts DRIFT updated and the rest unchanged.
#   orders          ORDERS webhooks (4 client threads) after WARMUP_ORDERS unmeasured ones; the agent answers 202 at once
#                   and calls back `completed` DELAY_MS after receiving each; measured from the first post until
#                   /ops/partners counts them all delivered. Checks: every callback 200, nothing else than delivered.
#
#   bench/erp-agent.sh                      # DB=both, 3 rounds, 100,000 items, 10 drifted, 1,000 orders, 2 s delay
#   QUICK=1 bench/erp-agent.sh              # 20,000 items, 1 round, 300 orders, H2 only, results not written
#   SKIP_BUILD=1 JAR=/tmp/other.jar DB=pg ROUNDS=5 bench/erp-agent.sh
#
# Settings (environment):
#   DB=both (h2 | pg | both)   ROUNDS=3   ITEMS=100000   DRIFT=10   PAGE=1000 (full fetch page size)
#   ORDERS=1000   WARMUP_ORDERS=100   DELAY_MS=2000   MAX_CONCURRENT=8 (the shop's, for the slot-bound figure only:
#   change bench/erp/agent/connectors/bench-shop.yaml too)   PARTS="reconcile orders"
#   JAR (or HUB_JAR)=target/junction.jar   SKIP_BUILD=0 (1: use the jar as it is)   HUB_JAVA_OPTS=-Xmx512m
#   CLIENT_JAVA_OPTS=-Xmx1g   MAPPINGS=$ROOT/../shared/erp/item-mapping.json
#   RESULTS_FILE=bench/RESULTS.md (the section between <!-- erp-agent:start --> and <!-- erp-agent:end -->)
#   WRITE_RESULTS=1 (QUICK=1: 0)   KEEP_WORK=0   STARTUP_TIMEOUT=180   PG_PORT=55434
#
# Everything runs in a temp dir and talks to 127.0.0.1 only; the trap stops the hubs, the client and the PostgreSQL
# cluster it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    DB=${DB:-h2} ROUNDS=${ROUNDS:-1} ITEMS=${ITEMS:-20000} ORDERS=${ORDERS:-300} WARMUP_ORDERS=${WARMUP_ORDERS:-50}
    WRITE_RESULTS=${WRITE_RESULTS:-0}
fi
DB=${DB:-both}
ROUNDS=${ROUNDS:-3}
ITEMS=${ITEMS:-100000}
DRIFT=${DRIFT:-10}
PAGE=${PAGE:-1000}
ORDERS=${ORDERS:-1000}
WARMUP_ORDERS=${WARMUP_ORDERS:-100}
DELAY_MS=${DELAY_MS:-2000}
MAX_CONCURRENT=${MAX_CONCURRENT:-8}
PARTS=${PARTS:-reconcile orders}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx512m}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--Xmx1g}
MAPPINGS=${MAPPINGS:-$ROOT/../shared/erp/item-mapping.json}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
WRITE_RESULTS=${WRITE_RESULTS:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
PG_PORT=${PG_PORT:-55434}

case "$DB" in h2) DBS=(h2) ;; pg) DBS=(pg) ;; both) DBS=(h2 pg) ;; *) die "DB must be h2, pg or both" ;; esac

# Bench-only credentials: bench/erp/agent/connectors/*.yaml hold the SHA-256 of the token and the key. Never reuse them.
VENDOR=bench-erp
SHOP=bench-shop
AGENT_TOKEN=bench-erp-agent-token-7c41d9e2
SHOP_KEY=bench-shop-key-3f9a61c2
AGENT_SECRET=bench-erp-orders-secret-$RANDOM$RANDOM
OPS_KEY=agent-ops-key-61b0c3e8
PG_PASS=bench-pg-pass

bench_traps
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMAND="$*"
tools=(jdk curl unzip)
[[ " ${DBS[*]} " == *" pg "* ]] && tools+=(postgresql)
install_tools "${tools[@]}"
build
[ -f "$MAPPINGS" ] || die "no mapping export at $MAPPINGS"
WORK=$(mktemp -d /tmp/jx-erp-agent.XXXXXX)
chmod 711 "$WORK"   # the postgres account reaches its cluster dir inside
RESULTS_TSV="$WORK/results.tsv"
: >"$RESULTS_TSV"

# The client's libraries (Jackson, the RFC 8785 reference library): exactly the versions the hub ships, from its jar.
mkdir -p "$WORK/libs" "$WORK/cls"
entries=$(unzip -Z1 "$HUB_JAR")
for lib in jackson-core jackson-databind jackson-annotations java-json-canonicalization; do
    entry=$(grep -E "^BOOT-INF/lib/$lib-[0-9][^/]*\.jar\$" <<<"$entries" | head -1)
    [ -n "$entry" ] || die "$lib is not in $HUB_JAR"
    unzip -q -o -j "$HUB_JAR" "$entry" -d "$WORK/libs"
done
CLIENT_CP=$(ls "$WORK"/libs/*.jar | tr '\n' ':')
# Compiled once (not the single-file launcher, which compiles in the measured JVM).
javac -nowarn -d "$WORK/cls" -cp "$CLIENT_CP" "$BENCH/AgentBench.java" 2>&1 | grep -v '^Note:' >&2 || true
[ -f "$WORK/cls/AgentBench.class" ] || die "bench/AgentBench.java did not compile"
RUN_ID=a$(date +%H%M%S)

if [[ " ${DBS[*]} " == *" pg "* ]]; then
    start_pg "$WORK/pg"
    log "$PG_SETTINGS"
fi

run_db() {  # db
    local db=$1 dir="$WORK/$1" answer out
    log "== $db: starting the hub"
    launch_hub "$db" "$dir" 1 "$BENCH/erp/agent/connectors" "$BENCH/erp/agent/routes" BENCH_ERP_AGENT_SECRET="$AGENT_SECRET"
    log "hub UP in ${HUB_STARTUP}s on port $HUB_PORT"
    answer=$(curl -fsS -m 60 -X POST -H "X-API-Key: $OPS_KEY" -H 'Content-Type: application/json' \
        --data-binary "@$MAPPINGS" "http://127.0.0.1:$HUB_PORT/ops/erp/mappings/import") || die "mapping import failed"
    grep -q '"imported":102' <<<"$answer" || die "mapping import: expected 102 imported, got $answer"
    out="$dir/agent.out"
    # shellcheck disable=SC2086  # a list of JVM options
    java $CLIENT_JAVA_OPTS -cp "$WORK/cls:$CLIENT_CP" AgentBench --hub "http://127.0.0.1:$HUB_PORT" --vendor "$VENDOR" \
        --token "$AGENT_TOKEN" --ops-key "$OPS_KEY" --secret "$AGENT_SECRET" --shop "$SHOP" --shop-key "$SHOP_KEY" \
        --items "$ITEMS" --drift "$DRIFT" --rounds "$ROUNDS" --page "$PAGE" --orders "$ORDERS" --warmup-orders "$WARMUP_ORDERS" \
        --delay-ms "$DELAY_MS" --parts "${PARTS// /,}" --run-id "$RUN_ID$db" 2> >(tee "$dir/agent.err" >&2) | tee "$out" \
        || { tail -30 "$dir/hub.log" >&2; die "AgentBench on $db failed (see above)"; }
    grep -q 'FAILED' "$dir/agent.err" && die "AgentBench on $db reported a failure"
    sed -n 's/^RECONCILE round=\([0-9]*\) measure=\([a-z]*\) seconds=\([0-9.]*\) requests=\([0-9]*\) fetched=\([0-9]*\).* agent_ms=\([0-9]*\).*$/\1\t\2\t\3\t\4\t\5\t\6/p' "$out" |
        while IFS=$'\t' read -r r m s q f a; do
            printf '%s\treconcile\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$r" "$m" "$s" "$q" "$f" "$(awk -v a="$a" 'BEGIN { printf "%.3f", a / 1000 }')"
        done >>"$RESULTS_TSV"
    sed -n 's/^ORDERS orders=\([0-9]*\) seconds=\([0-9.]*\) .*$/\1\t\2/p' "$out" |
        while IFS=$'\t' read -r n s; do printf '%s\torders\t1\tdelivered\t%s\t%s\t-\n' "$db" "$s" "$n"; done >>"$RESULTS_TSV"
    cp "$out" "$WORK/agent-$db.out"
    # (The Camel health probes warn while the context starts: not the benchmark's business.)
    if grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -qv 'HealthIndicator'; then
        log "hub log warnings/errors on $db:"; grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -v 'HealthIndicator' | tail -5 >&2
    fi
    stop_hub
}

for db in "${DBS[@]}"; do
    run_db "$db"
done

# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------
col() { awk -F'\t' -v d="$1" -v m="$2" -v c="$3" '$1 == d && $2 == "reconcile" && $4 == m { print $c }' "$RESULTS_TSV"; }
minmax() { sort -g | awk -v f="${1:-%s}" 'NR == 1 { a = $1 } { b = $1 } END { if (NR) printf f "-" f, a, b; else printf "-" }'; }
round_ratios() {  # db: reconcile seconds / full seconds, per round
    awk -F'\t' -v d="$1" '$1 == d && $2 == "reconcile" && $4 == "reconcile" { a[$3] = $5 }
        $1 == d && $2 == "reconcile" && $4 == "full" { b[$3] = $5 }
        END { for (r in a) if ((r in b) && b[r] > 0) printf "%.4f\n", a[r] / b[r] }' "$RESULTS_TSV"
}
cell() { local v; v=$(cat); printf '%s (%s)' "$(median <<<"$v")" "$(minmax "$1" <<<"$v")"; }
below() { awk -v x="$1" -v g="$2" 'BEGIN { if (x == "-" || x == "") print "n/a"; else if (x + 0 < g + 0) print "**MET**"; else print "**NOT MET**" }'; }
SLOT_BOUND=$(awk -v n="$ORDERS" -v d="$DELAY_MS" -v c="$MAX_CONCURRENT" 'BEGIN { printf "%.0f", n * d / 1000 / c }')
DELAY_S=$(awk -v d="$DELAY_MS" 'BEGIN { printf "%.1f", d / 1000 }')

SECTION="$WORK/section.md"
{
    echo "<!-- erp-agent:start -->"
    echo "## ERP agents: reconciliation and orders"
    echo
    echo "Written by \`bench/erp-agent.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (started $STARTED_AT), hub \`$(basename "$HUB_JAR")\`, \`$HUB_JAVA_OPTS\`;"
    echo "the agent is \`bench/AgentBench.java\` (JDK HttpServer on 127.0.0.1, \`$CLIENT_JAVA_OPTS\`), on the same machine as the hub."
    echo
    echo '```'
    echo "DB=$DB ROUNDS=$ROUNDS ITEMS=$ITEMS DRIFT=$DRIFT ORDERS=$ORDERS DELAY_MS=$DELAY_MS HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\" bench/erp-agent.sh $COMMAND"
    echo '```'
    echo
    if [[ " $PARTS " == *" reconcile "* ]]; then
        echo "### Reconciliation: $ITEMS items, $DRIFT drifted at the agent, against a full fetch"
        echo
        echo "Per round, two measures in alternating order, each after $DRIFT fresh items changed at the agent (label and a newer"
        echo "\`updatedAt\`): \`reconcile\` = \`POST /ops/erp/$VENDOR/reconcile\` until its three rows (warehouses, items, stock) are"
        echo "finished (client wall time, polled every 20 ms); \`full\` = every page of the agent's \`records\` endpoint (limit $PAGE)"
        echo "pushed through \`POST /agents/$VENDOR/items/batch\`, one page at a time (the hub answers $DRIFT \`updated\`, the rest"
        echo "\`unchanged\`). Requests and records are counted at the agent (and equal the run's row). maxBucket 100 (the default)."
        echo "Medians over $ROUNDS rounds (min-max); the ratio is per round, then its median. \"Of which the agent answering\": the"
        echo "time the bench agent spent in its handlers (checksums over its copy, pages), summed; the rest is the hub and the wire."
        echo
        echo "| db | reconcile s | of which the agent answering s | requests | records fetched | fetched / items | full fetch s | full requests | reconcile / full |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for db in "${DBS[@]}"; do
            [ -n "$(col "$db" reconcile 5)" ] || continue
            f=$(col "$db" reconcile 7 | median)
            echo "| $db | $(col "$db" reconcile 5 | cell %.3f) | $(col "$db" reconcile 8 | cell %.3f) | $(col "$db" reconcile 6 | cell %s) | $(col "$db" reconcile 7 | cell %s) |" \
                "$(awk -v f="$f" -v n="$ITEMS" 'BEGIN { printf "%.2f %%", 100 * f / n }') | $(col "$db" full 5 | cell %.2f) |" \
                "$(col "$db" full 6 | median) | $(round_ratios "$db" | cell %.4f) |"
        done
        echo
        echo "| db | goal | measured (median) | verdict |"
        echo "|---|---|---|---|"
        for db in "${DBS[@]}"; do
            [ -n "$(col "$db" reconcile 5)" ] || continue
            f=$(col "$db" reconcile 7 | median)
            fmax=$(col "$db" reconcile 7 | sort -g | tail -1)
            r=$(round_ratios "$db" | median)
            rmax=$(round_ratios "$db" | sort -g | tail -1)
            echo "| $db | fewer than 1% of the records fetched (< $((ITEMS / 100))) | $f (max $fmax) | $(below "$fmax" "$((ITEMS / 100))") |"
            verdict erp-agent.sh "reconcile fetches < 1%" "$db" "$f" "$(below "$fmax" "$((ITEMS / 100))" | tr -d '*')"
            echo "| $db | reconcile under 0.1x the full fetch's time | ${r}x (max ${rmax}x) | $(below "$rmax" 0.1) |"
            verdict erp-agent.sh "reconcile < 0.1x full fetch" "$db" "${r}x" "$(below "$rmax" 0.1 | tr -d '*')"
        done
        echo
    fi
    if [[ " $PARTS " == *" orders "* ]]; then
        echo "### Orders: $ORDERS orders, the agent calls back ${DELAY_S} s after each, the shop's maxConcurrent $MAX_CONCURRENT"
        echo
        echo "$ORDERS webhooks \`POST /webhooks/$SHOP/order-placed\` (4 client threads, after $WARMUP_ORDERS unmeasured ones); the route ends in"
        echo "\`agent:$VENDOR/orders\`; the agent answers 202 at once and calls back \`completed\` ${DELAY_S} s after receiving each order."
        echo "Measured from the first post until \`/ops/partners\` counts all $ORDERS \`delivered\` (polled every 50 ms). If"
        echo "\`awaiting-callback\` held a delivery slot it would take $ORDERS x ${DELAY_S} s / $MAX_CONCURRENT = ${SLOT_BOUND} s. One run per database."
        echo "The figure from the first post includes the intake of the $ORDERS webhooks (\"posting took\"); the delivery's own share is"
        echo "\"delivered after the last post\": the last order's ${DELAY_S} s callback delay plus the hub's bookkeeping."
        echo
        echo "| db | all delivered after s | / delay (${DELAY_S} s) | / slot-bound (${SLOT_BOUND} s) | posting took s | delivered after the last post s | last order reached the agent at s | last callback answered at s | max order calls in flight at the agent |"
        echo "|---|---|---|---|---|---|---|---|---|"
        for db in "${DBS[@]}"; do
            line=$(grep '^ORDERS ' "$WORK/agent-$db.out" 2>/dev/null | head -1) || true
            [ -n "$line" ] || continue
            s=$(kv " $line" seconds)
            echo "| $db | $s | $(ratio "$s" "$DELAY_S") | $(ratio "$s" "$SLOT_BOUND") | $(kv " $line" posted_s) |" \
                "$(awk -v a="$s" -v b="$(kv " $line" posted_s)" 'BEGIN { printf "%.3f", a - b }') | $(kv " $line" last_order_s) |" \
                "$(kv " $line" last_callback_s) | $(kv " $line" max_agent_inflight) |"
        done
        echo
        echo "| db | goal | measured | verdict |"
        echo "|---|---|---|---|"
        for db in "${DBS[@]}"; do
            line=$(grep '^ORDERS ' "$WORK/agent-$db.out" 2>/dev/null | head -1) || true
            [ -n "$line" ] || continue
            s=$(kv " $line" seconds)
            lim=$(awk -v d="$DELAY_S" 'BEGIN { print d + 1 }')
            after=$(awk -v a="$s" -v b="$(kv " $line" posted_s)" 'BEGIN { printf "%.3f", a - b }')
            echo "| $db | not slot-bound: under 0.1x ${SLOT_BOUND} s | ${s} s = $(ratio "$s" "$SLOT_BOUND")x | $(below "$(ratio "$s" "$SLOT_BOUND")" 0.1) |"
            verdict erp-agent.sh "orders not slot-bound (< 0.1x)" "$db" "${s}s" "$(below "$(ratio "$s" "$SLOT_BOUND")" 0.1 | tr -d '*')"
            echo "| $db | about the delay once posted: all delivered within ${DELAY_S} s + 1 s of the last post | ${after} s | $(below "$after" "$lim") |"
            verdict erp-agent.sh "orders done ~delay after the last post" "$db" "${after}s" "$(below "$after" "$lim" | tr -d '*')"
            echo "| $db | about the delay from the first post (3x ${DELAY_S} s, the intake time included) | ${s} s = $(ratio "$s" "$DELAY_S")x | $(below "$s" "$(awk -v d="$DELAY_S" 'BEGIN { print 3 * d }')") |"
        done
        echo
    fi
    echo "### Caveats"
    echo
    echo "- The hub, the agent and the client share the machine's $(nproc) cores (and the machine is shared with other work:"
    echo "  see the load average below); the agent's hashing and paging cost CPU the hub would otherwise have."
    echo "- The bench agent's JDK HttpServer runs with TCP_NODELAY (\`-Dsun.net.httpserver.nodelay=true\`, set by AgentBench), as"
    echo "  the usual agent servers do: without it each small answer waits for the hub's delayed ACK (about 40 ms a request),"
    echo "  which dominates a run of a hundred-odd checksum requests."
    echo "- Records fetched by a reconcile are whole buckets: each drifted record costs the bucket holding it, between maxBucket/2"
    echo "  and maxBucket records (here $ITEMS / 2^k <= 100). The 1% goal holds for $DRIFT drifted records in $ITEMS with maxBucket 100"
    echo "  only while DRIFT x bucket < 1% of the records; more scattered drift, or a larger maxBucket, fetches proportionally more."
    echo "- The full fetch pushes pages sequentially, one batch at a time, as a simple agent would; the hub answers \`unchanged\`"
    echo "  for all but the drifted records (content hash), its cheapest path."
    echo
    echo "### Machine"
    echo
    machine_lines "; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    [ -n "$PG_SETTINGS" ] && echo "- $PG_SETTINGS"
    echo
    echo "### Every round"
    echo
    echo '```'
    for db in "${DBS[@]}"; do
        [ -f "$WORK/agent-$db.out" ] && sed "s/^/$db /" "$WORK/agent-$db.out"
    done
    echo '```'
    echo "<!-- erp-agent:end -->"
} >"$SECTION"

cat "$SECTION" >&2
if [ "$WRITE_RESULTS" = 1 ]; then
    write_section erp-agent "$SECTION" "$RESULTS_FILE"
    log "section 'erp-agent' written to $RESULTS_FILE"
else
    log "results not written (WRITE_RESULTS=0)"
fi
