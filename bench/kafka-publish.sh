#!/usr/bin/env bash
# Kafka publish benchmark (issue 13): messages/s a route publishes with `to: kafka:<topic>` (acks=all, idempotent
# producer) next to a plain Kafka producer with the same settings against the same broker in the same run. Goal: hub
# >= 0.5x plain. One single-node KRaft broker in its own JVM (bench/KafkaBroker.java: Kafka 3.9.1's test kit, the one
# @EmbeddedKafka(kraft = true) runs; no Docker), one hub on embedded H2 (bench/kafka: partner bench-kafka, maxConcurrent
# 16, route `to: kafka:bench-orders`), topic bench-orders with PARTITIONS partitions. bench/KafkaPublish.java measures,
# in interleaved rounds (order alternating):
#   hub          RECORDS webhooks posted by HTTP_CLIENTS concurrent clients; seconds from the first POST until the
#                topic holds RECORDS more records. Includes intake and the journal commit: the hub publishes what it
#                journaled, so a route's publish rate cannot be had without them. Afterwards (not timed) the hub must
#                count them all delivered and the topic must hold exactly RECORDS more (no duplicate).
#   hub-intake   the same run until the last 202 (context: the intake's share).
#   plain-async  RECORDS records by one KafkaProducer, sent without waiting, then flush (kafka-producer-perf-test's way).
#   plain-sync   RECORDS records by 16 threads that each wait for a send's ack before the next (the hub's way: one
#                delivery attempt waits for its record's acks=all answer; 16 = the partner's maxConcurrent).
#
#   bench/kafka-publish.sh                       # 5 rounds + 1 warm-up, 20,000 records each; writes bench/RESULTS.md
#   QUICK=1 bench/kafka-publish.sh               # 1 round, 2,000 records, results not written: checks it works
#
#   hub-drain    the publish path alone: RECORDS webhooks journaled with delivery off, then a hub with delivery on drains
#                them; timed from the topic's first new record to the last (DRAIN_ROUNDS rounds, each followed by the
#                plain producers again as drain-plain-async / drain-plain-sync).
#
# Settings (environment): ROUNDS=5 WARMUP=1 RECORDS=20000 DRAIN_ROUNDS=3 HTTP_CLIENTS=32 PARTITIONS=3 HUB_JAVA_OPTS=-Xmx512m
#   BROKER_JAVA_OPTS=-Xmx1g CLIENT_JAVA_OPTS=-Xmx512m JAR=target/junction.jar SKIP_BUILD=0 STARTUP_TIMEOUT=180
#   RESULTS_FILE=bench/RESULTS.md (section <!-- kafka-publish:start --> .. end)  WRITE_RESULTS=1 (QUICK=1: 0)  KEEP_WORK=0
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-1} WARMUP=${WARMUP:-0} RECORDS=${RECORDS:-2000} DRAIN_ROUNDS=${DRAIN_ROUNDS:-1} WRITE_RESULTS=${WRITE_RESULTS:-0}
fi
ROUNDS=${ROUNDS:-5}
WARMUP=${WARMUP:-1}
RECORDS=${RECORDS:-20000}
DRAIN_ROUNDS=${DRAIN_ROUNDS:-3}
HTTP_CLIENTS=${HTTP_CLIENTS:-32}
PARTITIONS=${PARTITIONS:-3}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx512m}
BROKER_JAVA_OPTS=${BROKER_JAVA_OPTS:--Xmx1g}
CLIENT_JAVA_OPTS=${CLIENT_JAVA_OPTS:--Xmx512m}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
WRITE_RESULTS=${WRITE_RESULTS:-1}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
TOPIC=bench-orders
PARTNER=bench-kafka
# Bench-only credentials: bench/kafka/connectors/bench-kafka.yaml holds the SHA-256 of KEY. Never reuse them elsewhere.
KEY=bench-kafka-key-5e8c1f3a
OPS_KEY=kafka-ops-key-2b9e6c04
CONCURRENCY=$(sed -n 's/^delivery: { maxConcurrent: \([0-9]*\) }.*/\1/p' "$BENCH/kafka/connectors/bench-kafka.yaml")
[ -n "$CONCURRENCY" ] || die "no maxConcurrent in bench/kafka/connectors/bench-kafka.yaml"

bench_traps
BROKER_PID=""
stop_broker() { [ -z "$BROKER_PID" ] || { stop_pid "$BROKER_PID" 30; BROKER_PID=""; }; }
trap 'rc=$?; stop_broker; (exit $rc); bench_cleanup' EXIT
STARTED_AT=$(date -u '+%Y-%m-%d %H:%M UTC')
install_tools jdk curl
build
WORK=$(mktemp -d /tmp/jx-kafka.XXXXXX)

# The broker and the clients run from the project's test classpath: kafka_2.13 3.9.1 and its test kit (spring-kafka-test),
# kafka-clients 3.9.1, the versions the hub ships.
log "resolving the test classpath"
./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/test.cp" >/dev/null
CP=$(cat "$WORK/test.cp")
mkdir -p "$WORK/cls"
javac -d "$WORK/cls" -cp "$CP" "$BENCH/KafkaBroker.java" "$BENCH/KafkaPublish.java"

BROKER_PORT=$(free_port)
log "starting the KRaft broker on 127.0.0.1:$BROKER_PORT (topic $TOPIC, $PARTITIONS partitions)"
mkfifo "$WORK/broker.in"
# shellcheck disable=SC2086  # a list of JVM options
java $BROKER_JAVA_OPTS -cp "$WORK/cls:$CP" KafkaBroker "$BROKER_PORT" "$TOPIC" "$PARTITIONS" <"$WORK/broker.in" >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
exec 7>"$WORK/broker.in"   # holds the broker's input open; closed (EOF) when the script ends
for ((i = 0; i < 240; i++)); do
    grep -q '^BROKER ' "$WORK/broker.log" && break
    kill -0 "$BROKER_PID" 2>/dev/null || { tail -30 "$WORK/broker.log" >&2; die "the broker exited"; }
    sleep 0.5
done
BROKERS=$(sed -n 's/^BROKER //p' "$WORK/broker.log" | head -1)
[ -n "$BROKERS" ] || die "the broker did not start in 120 s"
log "broker at $BROKERS"

launch_hub h2 "$WORK/hub" 1 "$BENCH/kafka/connectors" "$BENCH/kafka/routes" JUNCTION_KAFKA_BOOTSTRAP_SERVERS="$BROKERS"
log "hub UP in ${HUB_STARTUP}s on port $HUB_PORT"

OUT="$WORK/kafka.out"
# shellcheck disable=SC2086  # a list of JVM options
java $CLIENT_JAVA_OPTS -cp "$WORK/cls:$CP" KafkaPublish --hub "http://127.0.0.1:$HUB_PORT" --key "$KEY" --ops-key "$OPS_KEY" \
    --partner "$PARTNER" --brokers "$BROKERS" --topic "$TOPIC" --records "$RECORDS" --rounds "$ROUNDS" --warmup "$WARMUP" \
    --concurrency "$CONCURRENCY" --http-clients "$HTTP_CLIENTS" | tee "$OUT" || { tail -20 "$WORK/hub/hub.log" >&2; die "KafkaPublish failed"; }
if grep -E ' (ERROR|WARN) ' "$WORK/hub/hub.log" | grep -qv 'HealthIndicator'; then
    log "hub log warnings/errors:"; grep -E ' (ERROR|WARN) ' "$WORK/hub/hub.log" | grep -v 'HealthIndicator' | tail -5 >&2
fi
stop_hub

# The drain measure: the publish path alone. RECORDS webhooks are journaled by a hub whose delivery is off, then a hub
# with delivery on starts on the same database and drains them; the watcher times the topic from the first new record
# to the last. Each round: fresh database, then the plain producers again (interleaved with the drains).
client() {  # mode round
    # shellcheck disable=SC2086  # a list of JVM options
    java $CLIENT_JAVA_OPTS -cp "$WORK/cls:$CP" KafkaPublish --mode "$1" --round "$2" --hub "http://127.0.0.1:${HUB_PORT:-0}" --key "$KEY" \
        --ops-key "$OPS_KEY" --partner "$PARTNER" --brokers "$BROKERS" --topic "$TOPIC" --records "$RECORDS" \
        --concurrency "$CONCURRENCY" --http-clients "$HTTP_CLIENTS"
}
for ((r = 1; r <= DRAIN_ROUNDS; r++)); do
    dir="$WORK/drain-$r"
    log "drain round $r: journaling $RECORDS webhooks with delivery off"
    launch_hub h2 "$dir" 1 "$BENCH/kafka/connectors" "$BENCH/kafka/routes" JUNCTION_KAFKA_BOOTSTRAP_SERVERS="$BROKERS" JUNCTION_DELIVERY_ENABLED=false
    client intake "$r" | tee -a "$OUT" || die "intake failed"
    stop_hub
    client watch "$r" >"$dir/watch.out" 2>&1 &
    CHILD_PID=$!
    for ((i = 0; i < 120; i++)); do grep -q '^WATCHING' "$dir/watch.out" && break; sleep 0.5; done
    grep -q '^WATCHING' "$dir/watch.out" || die "the watcher did not start: $(cat "$dir/watch.out")"
    log "drain round $r: starting the hub with delivery on"
    launch_hub h2 "$dir" 1 "$BENCH/kafka/connectors" "$BENCH/kafka/routes" JUNCTION_KAFKA_BOOTSTRAP_SERVERS="$BROKERS"
    wait "$CHILD_PID" || die "watch failed: $(cat "$dir/watch.out")"
    CHILD_PID=""
    grep '^KAFKA' "$dir/watch.out" | tee -a "$OUT"
    stop_hub
    client plain "$r" | tee -a "$OUT" || die "plain failed"
done
stop_broker

TSV="$WORK/results.tsv"
sed -n 's/^KAFKA round=\([0-9-]*\) measure=\([a-z-]*\) records=\([0-9]*\) seconds=\([0-9.]*\) per_s=\([0-9]*\)$/\1\t\2\t\3\t\4\t\5/p' "$OUT" >"$TSV"
vals() { awk -F'\t' -v m="$1" '$1 > 0 && $2 == m { print $5 }' "$TSV"; }
minmax() { sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { if (NR) printf "%s-%s", a, b; else printf "-" }'; }
ratios() {  # measureA measureB: per-round a/b
    awk -F'\t' -v ma="$1" -v mb="$2" '$1 > 0 && $2 == ma { a[$1] = $5 } $1 > 0 && $2 == mb { b[$1] = $5 }
        END { for (r in a) if ((r in b) && b[r] > 0) printf "%.2f\n", a[r] / b[r] }' "$TSV"
}
cell() { local v; v=$(ratios "$1" "$2"); printf '%s (%s)' "$(median <<<"$v")" "$(minmax <<<"$v")"; }
verdict_of() { awk -v x="$1" -v g="$2" 'BEGIN { if (x == "-") print "n/a"; else if (x + 0 >= g + 0) print "**MET**"; else print "**NOT MET**" }'; }

SECTION="$WORK/section.md"
{
    echo "<!-- kafka-publish:start -->"
    echo "## Kafka publish from a route vs a plain producer"
    echo
    echo "Written by \`bench/kafka-publish.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (started $STARTED_AT), hub \`$(basename "$HUB_JAR")\` on H2, \`$HUB_JAVA_OPTS\`;"
    echo "broker: Kafka 3.9.1 single-node KRaft (\`bench/KafkaBroker.java\`, \`$BROKER_JAVA_OPTS\`), topic with $PARTITIONS partitions, on the same machine."
    echo
    echo '```'
    echo "ROUNDS=$ROUNDS WARMUP=$WARMUP RECORDS=$RECORDS DRAIN_ROUNDS=$DRAIN_ROUNDS HTTP_CLIENTS=$HTTP_CLIENTS PARTITIONS=$PARTITIONS bench/kafka-publish.sh"
    echo '```'
    echo
    echo "Both sides: acks=all, enable.idempotence=true, max.in.flight 5, linger 5 ms, ~90-byte JSON values keyed by a 36-character id."
    echo "\`hub\`: $RECORDS webhooks by $HTTP_CLIENTS concurrent HTTP clients, timed from the first POST until the topic's end offsets grew"
    echo "by $RECORDS (so intake, the journal commit, the dispatcher and the route's send; the outcome commit is checked after, not timed:"
    echo "every message counted delivered and exactly $RECORDS new records, no duplicate). \`plain-async\`: one producer, sends without"
    echo "waiting, then flush (kafka-producer-perf-test's way). \`plain-sync\`: $CONCURRENCY threads each waiting for its send's ack, as the"
    echo "hub's $CONCURRENCY delivery slots do. Medians over $ROUNDS interleaved rounds (min-max) after $WARMUP warm-up round(s); ratios per round."
    echo
    echo "Drain rounds ($DRAIN_ROUNDS, the publish path alone): $RECORDS webhooks journaled by a hub with delivery off (\`journal-intake\`), then a hub"
    echo "with delivery on starts on that database and drains them: \`hub-drain\` is timed from the topic's first new record to its last"
    echo "(claim, route, acks=all send, outcome writes; a JVM just started, so JIT warm-up included), exactly $RECORDS new records checked."
    echo "After each drain the plain producers run again (\`drain-plain-*\`), so each drain has its own same-moment baseline."
    echo
    echo "| measure | messages/s |"
    echo "|---|---|"
    for m in hub hub-intake plain-async plain-sync journal-intake hub-drain drain-plain-async drain-plain-sync; do
        echo "| $m | $(median < <(vals "$m")) ($(vals "$m" | minmax)) |"
    done
    echo
    r=$(median < <(ratios hub plain-async))
    r2=$(median < <(ratios hub plain-sync))
    echo "| goal | measured | verdict |"
    echo "|---|---|---|"
    echo "| hub >= 0.5x plain producer (async, perf-test style) | $(cell hub plain-async) | $(verdict_of "$r" 0.5) |"
    echo "| hub >= 0.5x plain producer (sync, $CONCURRENCY threads) | $(cell hub plain-sync) | $(verdict_of "$r2" 0.5) |"
    r3=$(median < <(ratios hub-drain drain-plain-async))
    r4=$(median < <(ratios hub-drain drain-plain-sync))
    echo "| hub-drain >= 0.5x plain producer (async) | $(cell hub-drain drain-plain-async) | $(verdict_of "$r3" 0.5) |"
    echo "| hub-drain >= 0.5x plain producer (sync, $CONCURRENCY threads) | $(cell hub-drain drain-plain-sync) | $(verdict_of "$r4" 0.5) |"
    verdict kafka-publish.sh "hub drain >= 0.5x plain producer (async)" h2 "${r3}x" "$(verdict_of "$r3" 0.5 | tr -d '*')"
    verdict kafka-publish.sh "hub >= 0.5x plain producer (async)" h2 "${r}x" "$(verdict_of "$r" 0.5 | tr -d '*')"
    echo
    echo "### Machine"
    echo
    machine_lines "; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "### Every round"
    echo
    echo '```'
    printf 'round\tmeasure\trecords\tseconds\tper_s\n'
    cat "$TSV"
    echo '```'
    echo "<!-- kafka-publish:end -->"
} >"$SECTION"

cat "$SECTION" >&2
if [ "$WRITE_RESULTS" = 1 ]; then
    write_section kafka-publish "$SECTION" "$RESULTS_FILE"
    log "section 'kafka-publish' written to $RESULTS_FILE"
else
    log "results not written (WRITE_RESULTS=0)"
fi
