#!/usr/bin/env bash
# ERP ingest benchmark: how fast the hub takes an ERP agent's item batches (POST /agents/{vendor}/items/batch, the
# pipeline of ../shared/ERP-AGENTS.md "The pipeline": validate, RFC 8785 hash, load the stored hashes, map the codes,
# INSERT/UPDATE batches, journal the change feed) against a plain JDBC batch upsert of the same rows in the same
# database. On embedded H2 (the hub's default: a file, WRITE_DELAY=0) and on PostgreSQL (a private cluster of the
# Debian binaries with stock durability, started like bench/intake.sh does). Measured by bench/Ingest.java, one client:
#   first    10,000 new items in 10 batches of 1,000, posted sequentially; records/s. Every record must be `created`.
#   repeat   the same 10 batches again; records/s. Every record must be `unchanged`. Goal: >= 5x first.
#   raw      the same 10,000 rows by plain JDBC into `raw_erp_item` (erp_item's columns, types and primary key), one
#            transaction per batch of 1,000: SELECT the batch's existing keys (chunks of 500 keys, in the form the
#            database answers from the primary key: H2 a row-value IN list `(vendor, erp_id) IN ((?, ?), ...)`,
#            PostgreSQL `vendor = ? AND erp_id IN (?, ...)`), INSERT batch of the others (all of them: fresh keys),
#            commit; rows/s. Goal: hub first >= 0.5x raw.
#   raw-in   the same into `raw_erp_item_in` but with MirrorStore.load's own SELECT, `vendor = ? AND erp_id IN (?, ...)`:
#            on H2 2.3 that scans all the vendor's rows and compares each with the list (cost grows with the table).
#            PostgreSQL: the hub's own database `junction`. H2: the hub holds its file open (embedded, no AUTO_SERVER),
#            so raw gets its own file in the same directory with the hub's URL options (WRITE_DELAY=0).
# Items: erpId <run>-r<round>-<n> (fresh keys every round, so a first pass really creates), sku, a ~30-character
# label, unit KG, VAT/family/subfamily codes mapped by the shipped export, prices with 2 decimals, barcode, updatedAt.
# Variants (each on its own hub, since a vendorId is unique across descriptors): `plain` (bench/erp/plain: the vendor
# without events, the main figure, with raw) and `events` (bench/erp/events: `item-changed` declared, so every
# created record also journals a change message delivered to the DEBUG log route of bench/erp/routes; no raw; after
# each first pass it waits until the hub counts every change delivered, reported as `drain`, before the repeat).
# Both import $ROOT/../shared/erp/item-mapping.json (102 mappings) through POST /ops/erp/mappings/import first.
# Per hub: WARMUP unmeasured rounds (JIT, caches), then ROUNDS rounds of raw / first / repeat, raw alternately before
# and after the hub's passes. Figures: medians with min-max; ratios per round, their median and min-max.
#
#   bench/ingest.sh                         # DB=both, 5 rounds (+2 warm-up) plain, 3 events, LOOKUP=1; ~8 minutes on 2 cores
#   QUICK=1 bench/ingest.sh                 # 1 round, 1 warm-up, H2 and PostgreSQL, results not written: checks it works
#   SKIP_BUILD=1 JAR=/tmp/other.jar DB=pg ROUNDS=7 bench/ingest.sh
#
# Settings (environment):
#   DB=both (h2 | pg | both)   VARIANTS="plain events"   ROUNDS=5   EVENT_ROUNDS=3 (rounds of the events variant)
#   WARMUP=2   BATCHES=10 SIZE=1000   DRAIN_SECONDS=300 (events: longest wait for the change feed's deliveries)
#   JAR (or HUB_JAR)=target/junction.jar   SKIP_BUILD=0 (1: use the jar as it is)   HUB_JAVA_OPTS=-Xmx256m
#   CLIENT_JAVA_OPTS=-Xmx512m   WRITER_THREADS=1 (JUNCTION_JOURNAL_WRITER_THREADS)   MAPPINGS=$ROOT/../shared/erp/item-mapping.json
#   RESULTS_FILE=bench/RESULTS.md (the section between <!-- ingest:start --> and <!-- ingest:end -->; not with QUICK=1)
#   ANALYZE=1 (PostgreSQL: ANALYZE erp_item and the raw tables after the warm-up, as autovacuum would have by then;
#              0: measure with the fresh tables' missing statistics)
#   LOOKUP=1 (QUICK=1: 0)  also run bench/KeyLookup.java on each database (after its hubs): MirrorStore.load's key
#              lookup in four SQL forms as a table grows to LOOKUP_ROUNDS=6 x 10,000 rows, ANALYZE after the third
#   WRITE_RESULTS=1 (QUICK=1: 0)   KEEP_WORK=0   STARTUP_TIMEOUT=180   PG_PORT=55433
#
# Needs root (or sudo) only to apt-get postgresql, a JDK, curl and unzip when missing. Everything runs in a temp dir
# and talks to 127.0.0.1 only; the trap stops the hubs and the PostgreSQL cluster it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-1} EVENT_ROUNDS=${EVENT_ROUNDS:-1} WARMUP=${WARMUP:-1} WRITE_RESULTS=${WRITE_RESULTS:-0} LOOKUP=${LOOKUP:-0}
fi
DB=${DB:-both}
VARIANTS=${VARIANTS:-plain events}
ROUNDS=${ROUNDS:-5}
EVENT_ROUNDS=${EVENT_ROUNDS:-3}
WARMUP=${WARMUP:-2}
BATCHES=${BATCHES:-10}
SIZE=${SIZE:-1000}
DRAIN_SECONDS=${DRAIN_SECONDS:-300}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx256m}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--Xmx512m}
WRITER_THREADS=${WRITER_THREADS:-1}
MAPPINGS=${MAPPINGS:-$ROOT/../shared/erp/item-mapping.json}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
WRITE_RESULTS=${WRITE_RESULTS:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
PG_PORT=${PG_PORT:-55433}
ANALYZE=${ANALYZE:-1}
LOOKUP=${LOOKUP:-1}
LOOKUP_ROUNDS=${LOOKUP_ROUNDS:-6}

case "$DB" in h2) DBS=(h2) ;; pg) DBS=(pg) ;; both) DBS=(h2 pg) ;; *) die "DB must be h2, pg or both" ;; esac

# Bench-only credentials: bench/erp/*/bench-erp.yaml hold the SHA-256 of AGENT_TOKEN. Never reuse them elsewhere.
VENDOR=bench-erp
AGENT_TOKEN=bench-erp-agent-token-7c41d9e2
OPS_KEY=ingest-ops-key-4d2a7b19
PG_PASS=bench-pg-pass

bench_traps
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
COMMAND="$*"
tools=(jdk curl unzip)
[[ " ${DBS[*]} " == *" pg "* ]] && tools+=(postgresql)
install_tools "${tools[@]}"
build
[ -f "$MAPPINGS" ] || die "no mapping export at $MAPPINGS"
WORK=$(mktemp -d /tmp/jx-ingest.XXXXXX)
chmod 711 "$WORK"   # the postgres account reaches its cluster dir inside
RESULTS_TSV="$WORK/results.tsv"
: >"$RESULTS_TSV"

# The JDBC drivers for the raw baseline: exactly the versions the hub ships, taken from its jar.
mkdir -p "$WORK/drivers"
entries=$(unzip -Z1 "$HUB_JAR")
unzip -q -o -j "$HUB_JAR" "$(grep -E '^BOOT-INF/lib/h2-[0-9][^/]*\.jar$' <<<"$entries" | head -1)" \
    "$(grep -E '^BOOT-INF/lib/postgresql-[0-9][^/]*\.jar$' <<<"$entries" | head -1)" -d "$WORK/drivers"
CLIENT_CP=$(ls "$WORK"/drivers/*.jar | tr '\n' ':')
# Compiled once (not the single-file launcher per run, which compiles in the measured JVM).
mkdir -p "$WORK/cls"
javac -d "$WORK/cls" "$BENCH/Ingest.java" "$BENCH/KeyLookup.java"
RUN_ID=i$(date +%H%M%S)

if [[ " ${DBS[*]} " == *" pg "* ]]; then
    start_pg "$WORK/pg"
    log "$PG_SETTINGS"
fi

run_variant() {  # db variant
    local db=$1 variant=$2 dir="$WORK/$1-$2" rounds jdbc user pass answer out
    local -a extra=()
    log "== $db / $variant: starting the hub"
    launch_hub "$db" "$dir" "$WRITER_THREADS" "$BENCH/erp/$variant" "$BENCH/erp/routes"
    log "hub UP in ${HUB_STARTUP}s on port $HUB_PORT"
    answer=$(curl -fsS -m 60 -X POST -H "X-API-Key: $OPS_KEY" -H 'Content-Type: application/json' \
        --data-binary "@$MAPPINGS" "http://127.0.0.1:$HUB_PORT/ops/erp/mappings/import") || die "mapping import failed"
    grep -q '"imported":102' <<<"$answer" || die "mapping import: expected 102 imported, got $answer"
    if [ "$db" = pg ]; then
        jdbc="jdbc:postgresql://127.0.0.1:$PG_PORT/junction" user=junction pass=$PG_PASS
        extra+=(--raw-select in --analyze "$ANALYZE")
    else
        mkdir -p "$dir/raw"
        jdbc="jdbc:h2:file:$dir/raw/raw;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" user=sa pass=""
        extra+=(--raw-select rowin)
    fi
    if [ "$variant" = events ]; then
        rounds=$EVENT_ROUNDS
        extra+=(--raw 0 --ops-key "$OPS_KEY" --drain-seconds "$DRAIN_SECONDS")
    else
        rounds=$ROUNDS
    fi
    out="$dir/ingest.out"
    # shellcheck disable=SC2086  # a list of JVM options
    java $CLIENT_JAVA_OPTS -cp "$WORK/cls:$CLIENT_CP" Ingest --hub "http://127.0.0.1:$HUB_PORT" --vendor "$VENDOR" \
        --token "$AGENT_TOKEN" --jdbc "$jdbc" --user "$user" --password "$pass" --rounds "$rounds" --warmup "$WARMUP" \
        --batches "$BATCHES" --size "$SIZE" --run-id "$RUN_ID-$db-$variant" "${extra[@]}" 2> >(tee "$dir/ingest.err" >&2) \
        | tee "$out" || { tail -20 "$dir/hub.log" >&2; die "Ingest on $db/$variant failed (see above)"; }
    grep -q '^INGEST ' "$out" || die "Ingest printed no result"
    sed -n 's/^INGEST round=\([0-9]*\) measure=\([a-z-]*\) records=\([0-9]*\) seconds=\([0-9.-]*\) per_s=\([0-9.-]*\)$/\1\t\2\t\3\t\4\t\5/p' "$out" |
        while IFS=$'\t' read -r r m n s p; do printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$variant" "$r" "$m" "$s" "$p"; done >>"$RESULTS_TSV"
    # (The Camel health probes warn while the context starts: not the benchmark's business.)
    if grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -qv 'HealthIndicator'; then
        log "hub log warnings/errors on $db/$variant:"; grep -E ' (ERROR|WARN) ' "$dir/hub.log" | grep -v 'HealthIndicator' | tail -5 >&2
    fi
    stop_hub
}

run_lookup() {  # db
    local db=$1
    log "== $db: key lookup forms (bench/KeyLookup.java)"
    if [ "$db" = pg ]; then
        fresh_hub_database   # the hubs are stopped: an empty database, so the table starts without statistics
        set -- "jdbc:postgresql://127.0.0.1:$PG_PORT/junction" junction "$PG_PASS"
    else
        mkdir -p "$WORK/lookup"
        set -- "jdbc:h2:file:$WORK/lookup/lookup;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" sa ""
    fi
    # shellcheck disable=SC2086  # a list of JVM options
    java $CLIENT_JAVA_OPTS -cp "$WORK/cls:$CLIENT_CP" KeyLookup "$@" "$LOOKUP_ROUNDS" 3 | tee "$WORK/lookup-$db.out" \
        || die "KeyLookup on $db failed"
}

for db in "${DBS[@]}"; do
    for variant in $VARIANTS; do
        run_variant "$db" "$variant"
    done
    [ "$LOOKUP" != 1 ] || run_lookup "$db"
done

# ---------------------------------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------------------------------
vals() { awk -F'\t' -v d="$1" -v v="$2" -v m="$3" '$1 == d && $2 == v && $4 == m && $6 != "-" { print $6 }' "$RESULTS_TSV"; }
secs() { awk -F'\t' -v d="$1" -v v="$2" -v m="$3" '$1 == d && $2 == v && $4 == m && $5 >= 0 { print $5 }' "$RESULTS_TSV"; }
minmax() { sort -g | awk -v f="${1:-%s}" 'NR == 1 { a = $1 } { b = $1 } END { if (NR) printf f "-" f, a, b; else printf "-" }'; }
fmt() { awk -v x="$1" 'BEGIN { if (x == "-") print "-"; else printf "%.0f\n", x }'; }
# Per-round ratios a/b of two measures (of the same or of two variants), one a line.
round_ratios() {  # db variantA measureA variantB measureB
    awk -F'\t' -v d="$1" -v va="$2" -v ma="$3" -v vb="$4" -v mb="$5" '
        $1 == d && $2 == va && $4 == ma && $6 != "-" { a[$3] = $6 }
        $1 == d && $2 == vb && $4 == mb && $6 != "-" { b[$3] = $6 }
        END { for (r in a) if ((r in b) && b[r] > 0) printf "%.2f\n", a[r] / b[r] }' "$RESULTS_TSV"
}
ratio_cell() { local v; v=$(round_ratios "$@"); printf '%s (%s)' "$(median <<<"$v")" "$(minmax <<<"$v" | sed 's/^-$//')"; }
verdict_of() { awk -v x="$1" -v g="$2" 'BEGIN { if (x == "-") print "n/a"; else if (x + 0 >= g + 0) print "**MET**"; else print "**NOT MET**" }'; }

SECTION="$WORK/section.md"
{
    echo "<!-- ingest:start -->"
    echo "## ERP ingest: agent item batches vs a raw JDBC upsert"
    echo
    echo "Written by \`bench/ingest.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (started $STARTED_AT), hub \`$(basename "$HUB_JAR")\`, \`$HUB_JAVA_OPTS\`."
    echo
    echo '```'
    echo "DB=$DB ROUNDS=$ROUNDS EVENT_ROUNDS=$EVENT_ROUNDS WARMUP=$WARMUP BATCHES=$BATCHES SIZE=$SIZE HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\" bench/ingest.sh $COMMAND"
    echo '```'
    echo
    echo "Each pass: $((BATCHES * SIZE)) items in $BATCHES batches of $SIZE, one client, sequential (\`bench/Ingest.java\`)."
    echo "Medians over the measured rounds (min-max in brackets), after $WARMUP unmeasured warm-up round(s) per hub;"
    echo "ratios are computed per round (same round's figures) and then their median is taken."
    echo
    echo "### Verdict (medians)"
    echo
    echo "| db | goal | measured | verdict |"
    echo "|---|---|---|---|"
    for db in "${DBS[@]}"; do
        r=$(median < <(round_ratios "$db" plain first plain raw))
        echo "| $db | hub first pass >= 0.5x raw | $(ratio_cell "$db" plain first plain raw) | $(verdict_of "$r" 0.5) |"
        verdict ingest.sh "first >= 0.5x raw" "$db" "${r}x" "$(verdict_of "$r" 0.5 | tr -d '*')"
        r=$(median < <(round_ratios "$db" plain repeat plain first))
        echo "| $db | repeat >= 5x first pass | $(ratio_cell "$db" plain repeat plain first) | $(verdict_of "$r" 5) |"
        verdict ingest.sh "repeat >= 5x first" "$db" "${r}x" "$(verdict_of "$r" 5 | tr -d '*')"
    done
    echo
    echo "### Records/s (medians, min-max)"
    echo
    echo "| db | variant | raw rows/s | raw-in rows/s | hub first records/s | hub repeat records/s | first / raw | first / raw-in | repeat / first | rounds |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for db in "${DBS[@]}"; do
        for variant in $VARIANTS; do
            n=$(vals "$db" "$variant" first | wc -l)
            [ "$n" -gt 0 ] || continue
            if [ "$variant" = plain ]; then
                raw="$(fmt "$(median < <(vals "$db" plain raw))") ($(vals "$db" plain raw | minmax %.0f)) |"
                raw+=" $(fmt "$(median < <(vals "$db" plain raw-in))") ($(vals "$db" plain raw-in | minmax %.0f))"
            else
                raw="(plain's) | (plain's)"
            fi
            echo "| $db | $variant | $raw | $(fmt "$(median < <(vals "$db" "$variant" first))") ($(vals "$db" "$variant" first | minmax %.0f)) |" \
                "$(fmt "$(median < <(vals "$db" "$variant" repeat))") ($(vals "$db" "$variant" repeat | minmax %.0f)) |" \
                "$(ratio_cell "$db" "$variant" first plain raw) | $(ratio_cell "$db" "$variant" first plain raw-in) |" \
                "$(ratio_cell "$db" "$variant" repeat "$variant" first) | $n |"
        done
    done
    if [[ " $VARIANTS " == *" events "* ]]; then
        echo
        echo "Events variant: each first pass also journals $((BATCHES * SIZE)) change messages (\`item-changed\`, one per created item)"
        echo "in the batches' transactions; the hub then delivers them to a DEBUG \`log:\` route. Seconds from the end of a first pass"
        echo "until the hub counts them all delivered (before the repeat pass starts), median (min-max):"
        for db in "${DBS[@]}"; do
            d=$(secs "$db" events drain)
            [ -n "$d" ] && echo "- $db: $(printf "%.2f" "$(median <<<"$d")") s ($(minmax %.2f <<<"$d"))"
        done
    fi
    if [ "$LOOKUP" = 1 ]; then
        echo
        echo "### Key lookup forms (bench/KeyLookup.java)"
        echo
        echo "Milliseconds to look up 10,000 stored keys in 10 batches of 1,000 (best of 3), as the table grows; ANALYZE after"
        echo "30,000 rows. \`in500\`: MirrorStore.load's \`vendor = ? AND erp_id IN (?, ...)\` by 500; \`rowin500\`: \`(vendor, erp_id) IN ((?, ?), ...)\`"
        echo "by 500; \`any\`: \`vendor = ? AND erp_id = ANY(?)\` (one array); \`unnest\`: \`UNNEST(CAST(? AS VARCHAR ARRAY)) AS k(erp_id) JOIN ...\` (one array)."
        echo
        echo "| db | rows | analyzed | in500 | rowin500 | any | unnest |"
        echo "|---|---|---|---|---|---|---|"
        for db in "${DBS[@]}"; do
            [ -f "$WORK/lookup-$db.out" ] || continue
            sed -n 's/^LOOKUP stored=\([0-9]*\) analyzed=\([01]\) form=\([a-z0-9]*\) ms_per_10k_keys=\([0-9.]*\)$/\1 \2 \3 \4/p' "$WORK/lookup-$db.out" |
                awk -v db="$db" '{ k = $1 " " $2; if (!(k in seen)) { seen[k] = 1; order[++n] = k } v[k, $3] = $4 }
                    END { for (i = 1; i <= n; i++) { split(order[i], a, " "); printf "| %s | %d | %s | %s | %s | %s | %s |\n", db, a[1],
                        (a[2] ? "yes" : "no"), v[order[i], "in500"], v[order[i], "rowin500"], v[order[i], "any"], v[order[i], "unnest"] } }'
        done
    fi
    echo
    echo "### Machine"
    echo
    machine_lines "; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    [ -n "$PG_SETTINGS" ] && echo "- $PG_SETTINGS"
    echo
    echo "### Every round"
    echo
    echo '```'
    printf 'db\tvariant\tround\tmeasure\tseconds\tper_s\n'
    cat "$RESULTS_TSV"
    echo '```'
    echo "<!-- ingest:end -->"
} >"$SECTION"

cat "$SECTION" >&2
if [ "$WRITE_RESULTS" = 1 ]; then
    write_section ingest "$SECTION" "$RESULTS_FILE"
    log "section 'ingest' written to $RESULTS_FILE"
else
    log "results not written (WRITE_RESULTS=0)"
fi
