#!/usr/bin/env bash
# Recovery benchmark (issue 10): how fast the hub delivers a batch to a healthy target, how fast it catches up after
# the target comes back from an outage, and how it copes with a target that fails every message's first call.
# Against the packaged hub (embedded H2), with a controllable target stub on 127.0.0.1 (bench/Recovery.java, which
# also posts the messages and reads the hub's counts):
#   healthy    N messages to a partner whose target answers 200; seconds from the first post until the hub counts
#              all N delivered (GET /ops/partners);
#   recovery   N messages while the target answers 503 to everything, then OUTAGE more seconds, then it answers 200;
#              seconds from its return until all N are delivered. Goal: <= 2x healthy + the breaker's open period;
#   half       N messages to a target that answers each message's first call (by Idempotency-Key, the receipt id)
#              503 and its second 200; seconds from the first post until all N are delivered. Goal: <= 3x healthy.
# Each in two variants: `target` (a route calling `target:<partner>/stub`, with the target's timeout and circuit
# breaker) and `http` (a route calling the stub with Camel's plain `http:` component, no breaker). The stub's calls
# against the hub's attempts (read from every receipt) show retries hidden inside one attempt.
#
#   bench/recovery.sh                      # 3 interleaved rounds, N=2000 (about 20 minutes on 2 quiet cores)
#   QUICK=1 bench/recovery.sh              # 1 round, N=300, 10 s outage: checks that everything works (5 minutes)
#   SKIP_BUILD=1 HUB_JAR=/tmp/junction-before.jar VARIANTS=target bench/recovery.sh
#
# Settings (environment). Retry and breaker values are explicit here, not the hub's shipped defaults, so that the
# same command measures the same policy before and after a change of those defaults:
#   N=2000 BODY_BYTES=1024     messages per scenario and their size (1 KiB JSON)
#   OUTAGE=20                  seconds the target stays down after the last 202 of the recovery scenario
#   DEADLINE=240               seconds a scenario may take to drain (from its start, or from the target's return);
#                              past it the scenario is recorded as "did not drain in X s (delivered k of N)"
#   SKIP_UNDRAINED=1           a scenario that did not drain is not run again in later rounds (keeps a run bounded)
#   ROUNDS=3                   rounds; each runs every variant x scenario once, in a rotated order, on a fresh hub
#   VARIANTS="target http" SCENARIOS="healthy recovery half"
#   RETRY="{ maxAttempts: 20, initialDelay: 1s, multiplier: 2, maxDelay: 30s, jitter: 0.2 }"   the partners' retry
#   BREAKER="{ failureRateThreshold: 50, slidingWindowSize: 20, waitInOpenState: 30s }"   the target's breaker
#   TARGET_TIMEOUT=5s MAX_CONCURRENT=16   the target's timeout and the partners' delivery bulkhead
#   POLL_INTERVAL=1s           JUNCTION_DELIVERY_POLL_INTERVAL of the hub (its default)
#   CONCURRENCY=16             concurrent posters (and receipt readers)
#   WARMUP_N=500               messages to a healthy warm-up partner after each hub start (JIT), not measured
#   HUB_JAVA_OPTS=-Xmx256m     JVM options of the hub; HUB_JAR=target/junction.jar the jar it runs
#   RESULTS_FILE=bench/RESULTS.md   the section between <!-- recovery:start --> and <!-- recovery:end -->
#   SKIP_BUILD=1 KEEP_WORK=1 STARTUP_TIMEOUT=180
#
# Needs root (or sudo) only to apt-get a JDK and curl when missing. Everything runs in a temp dir and talks to
# 127.0.0.1 only; the trap stops the hub and the stub it started.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    N=${N:-300} ROUNDS=${ROUNDS:-1} OUTAGE=${OUTAGE:-10} DEADLINE=${DEADLINE:-120} WARMUP_N=${WARMUP_N:-100}
fi
N=${N:-2000}
BODY_BYTES=${BODY_BYTES:-1024}
OUTAGE=${OUTAGE:-20}
DEADLINE=${DEADLINE:-240}
SKIP_UNDRAINED=${SKIP_UNDRAINED:-1}
ROUNDS=${ROUNDS:-3}
VARIANTS=${VARIANTS:-target http}
SCENARIOS=${SCENARIOS:-healthy recovery half}
RETRY=${RETRY:-"{ maxAttempts: 20, initialDelay: 1s, multiplier: 2, maxDelay: 30s, jitter: 0.2 }"}
BREAKER=${BREAKER:-"{ failureRateThreshold: 50, slidingWindowSize: 20, waitInOpenState: 30s }"}
TARGET_TIMEOUT=${TARGET_TIMEOUT:-5s}
MAX_CONCURRENT=${MAX_CONCURRENT:-16}
POLL_INTERVAL=${POLL_INTERVAL:-1s}
CONCURRENCY=${CONCURRENCY:-16}
WARMUP_N=${WARMUP_N:-500}
HUB_JAVA_OPTS=${HUB_JAVA_OPTS--Xmx256m}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_WORK=${KEEP_WORK:-0}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}

# Bench-only credentials: each descriptor written below holds the SHA-256 of REC_KEY-<partner> (a key identifies one
# partner). Never reuse them elsewhere.
REC_KEY=recovery-key-5e19c07b
OPS_KEY=recovery-ops-key-a83f2d61

bench_traps

# The breaker's open period in seconds, from BREAKER's waitInOpenState (s, m or ms).
open_seconds() {
    sed -n 's/.*waitInOpenState: *\([0-9.]*\)\(ms\|s\|m\).*/\1 \2/p' <<<"$BREAKER" \
        | awk '{ print ($2 == "ms" ? $1 / 1000 : ($2 == "m" ? $1 * 60 : $1)) }'
}

# ---------------------------------------------------------------------------------------------------------------
# Bench files: one partner per variant x scenario (so a scenario never sees another's messages), and a warm-up one
# ---------------------------------------------------------------------------------------------------------------
write_partner() {  # partner route
    cat >"$WORK/connectors/$1.yaml" <<EOF
# Bench-only partner written by bench/recovery.sh. Never deploy it: its key is a constant in the script.
partner: $1
displayName: Recovery benchmark $1 (bench only)
apiKeys:
  - id: bench
    sha256: $(printf '%s' "$REC_KEY-$1" | sha256sum | cut -d' ' -f1)
rateLimit: { capacity: 100000000, refillPerSecond: 100000000 }
maxBodyBytes: 1000000
retry: $RETRY
delivery: { maxConcurrent: $MAX_CONCURRENT }
events:
  order-created:
    route: $2
    idempotencyKey: header:Idempotency-Key
targets:
  stub:
    url: http://127.0.0.1:$STUB_PORT
    timeout: $TARGET_TIMEOUT
    circuitBreaker: $BREAKER
EOF
}

write_route() {  # route-id uri
    cat >"$WORK/routes/$1.yaml" <<EOF
# Happy path only: retries and dead letters are the hub's job.
- route:
    id: $1
    from:
      uri: direct:$1
      steps:
        - to:
            uri: $2
EOF
}

write_bench_files() {
    local v s p
    mkdir -p "$WORK/connectors" "$WORK/routes" "$WORK/cls"
    write_partner rec-warm rec-warm
    write_route rec-warm "target:rec-warm/stub?path=/in/rec-warm"
    for v in $VARIANTS; do
        for s in $SCENARIOS; do
            p="rec-$v-$s"
            write_partner "$p" "$p"
            case "$v" in
                target) write_route "$p" "target:$p/stub?path=/in/$p" ;;
                http) write_route "$p" "http://127.0.0.1:$STUB_PORT/in/$p" ;;
                *) die "unknown variant '$v' (target or http)" ;;
            esac
        done
    done
    javac -d "$WORK/cls" "$BENCH/Recovery.java" || die "cannot compile bench/Recovery.java"
}

# ---------------------------------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------------------------------
start_hub() {
    stop_hub
    rm -rf "$WORK/hub"
    launch_hub h2 "$WORK/hub" 1 "$WORK/connectors" "$WORK/routes" JUNCTION_DELIVERY_POLL_INTERVAL="$POLL_INTERVAL"
    log "hub UP on :$HUB_PORT in ${HUB_STARTUP}s (pid $HUB_PID); warm-up: $WARMUP_N messages"
    scenario healthy rec-warm "$WARMUP_N"
}

# One Recovery.java run; sets RESULT to its RECOVERY_RESULT line. Arguments: scenario partner n. Not in a command
# substitution: the trap must know CHILD_PID to stop it.
scenario() {
    local out="$WORK/run-$2-$(date +%s%N).out" rc=0
    java -Xmx512m -cp "$WORK/cls" Recovery --mode "$1" --partner "$2" --n "$3" --bytes "$BODY_BYTES" --outage "$OUTAGE" \
        --deadline "$DEADLINE" --concurrency "$CONCURRENCY" --hub "http://127.0.0.1:$HUB_PORT" --ops-key "$OPS_KEY" \
        --api-key "$REC_KEY-$2" --stub-port "$STUB_PORT" >"$out" 2>&1 &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    RESULT=$(grep '^RECOVERY_RESULT ' "$out" | tail -1 || true)
    [ -n "$RESULT" ] || { tail -20 "$out" >&2; die "Recovery.java failed (exit $rc)"; }
}

# The rounds: every variant x scenario once per round, in an order rotated by one each round, on a hub started
# fresh for the round (and again after a scenario that did not drain, whose messages would load the next one).
run_rounds() {
    local -a order=()
    local v s r i k line name skip
    for v in $VARIANTS; do for s in $SCENARIOS; do order+=("$v $s"); done; done
    : >"$WORK/runs.tsv"
    for ((r = 1; r <= ROUNDS; r++)); do
        start_hub
        for ((i = 0; i < ${#order[@]}; i++)); do
            k=$(((i + r - 1) % ${#order[@]}))
            read -r v s <<<"${order[$k]}"
            name="rec-$v-$s"
            skip=$(awk -F'\t' -v v="$v" -v s="$s" '$2 == v && $3 == s && $4 == 0' "$WORK/runs.tsv" | head -1)
            if [ "$SKIP_UNDRAINED" = 1 ] && [ -n "$skip" ]; then
                log "round $r: $v/$s skipped (it did not drain in an earlier round)"
                continue
            fi
            log "round $r: $v/$s ($N messages)"
            cut -d' ' -f1 /proc/loadavg >>"$WORK/loads"
            scenario "$s" "$name" "$N"
            line=$RESULT
            log "  $(sed 's/^RECOVERY_RESULT //' <<<"$line")"
            printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$v" "$s" "$(kv "$line" drained)" "$line" >>"$WORK/runs.tsv"
            if [ "$(kv "$line" drained)" != 1 ] && [ $((i + 1)) -lt ${#order[@]} ]; then
                log "  not drained: a fresh hub for the rest of the round"
                start_hub
            fi
        done
        stop_hub
    done
}

# ---------------------------------------------------------------------------------------------------------------
# Figures and the report
# ---------------------------------------------------------------------------------------------------------------
field() {  # variant scenario key: the values of one RECOVERY_RESULT key over the rounds, one a line
    awk -F'\t' -v v="$1" -v s="$2" '$2 == v && $3 == s { print $5 }' "$WORK/runs.tsv" | while read -r l; do kv " $l" "$3"; done
}
med() { field "$1" "$2" "$3" | median; }
runs_of() { awk -F'\t' -v v="$1" -v s="$2" '$2 == v && $3 == s' "$WORK/runs.tsv" | wc -l | tr -d ' '; }
drained_of() { awk -F'\t' -v v="$1" -v s="$2" '$2 == v && $3 == s && $4 == 1' "$WORK/runs.tsv" | wc -l | tr -d ' '; }

# "12.3 s" when every run drained, else "did not drain in X s (delivered k of N)" for the worst run.
measured() {  # variant scenario
    local v=$1 s=$2
    if [ "$(drained_of "$v" "$s")" = "$(runs_of "$v" "$s")" ] && [ "$(runs_of "$v" "$s")" != 0 ]; then
        echo "$(med "$v" "$s" seconds) s"
    else
        awk -F'\t' -v v="$v" -v s="$s" '$2 == v && $3 == s && $4 == 0 { print $5 }' "$WORK/runs.tsv" | head -1 | {
            read -r l
            echo "did not drain in $(kv " $l" waited) s (delivered $(kv " $l" delivered) of $(kv " $l" accepted))"
        }
    fi
}

verdict_row() {  # variant scenario goal-seconds goal-text
    local v=$1 s=$2 goal=$3 text=$4 m verdict=NOT\ MET
    m=$(measured "$v" "$s")
    case "$m" in
        *" s") awk -v a="${m% s}" -v g="$goal" 'BEGIN { exit !(g != "-" && a + 0 <= g + 0) }' && verdict=MET ;;
    esac
    echo "| $v | $s | $text | $m | **$verdict** |"
}

section() {
    local v s open h
    open=$(open_seconds)
    echo "<!-- recovery:start -->"
    echo "## Recovery: healthy drain, catching up after an outage, a half-failing target"
    echo
    echo "Written by \`bench/recovery.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (started $STARTED), hub \`$(basename "${HUB_JAR:-target/junction.jar}")\`$([ -z "$JAR_COMMIT" ] || echo " ($JAR_COMMIT)"), embedded H2, \`$HUB_JAVA_OPTS\`."
    [ "$QUICK" != 1 ] || echo "**QUICK=1: a check that the benchmark works, not figures to quote.**"
    echo
    echo '```'
    echo "$COMMAND"
    echo '```'
    echo
    echo "Settings: $N messages of $BODY_BYTES bytes per scenario, $CONCURRENCY concurrent posters; outage $OUTAGE s after the last \`202\`;"
    echo "deadline $DEADLINE s per scenario; partners' \`retry: $RETRY\`, \`delivery: { maxConcurrent: $MAX_CONCURRENT }\`;"
    echo "the \`target\` variant's \`circuitBreaker: $BREAKER\` (open period $open s) and \`timeout: $TARGET_TIMEOUT\`;"
    echo "the \`http\` variant calls \`http://127.0.0.1:<stub>/in/<partner>\` with Camel's http component as shipped (no breaker);"
    echo "poll interval $POLL_INTERVAL; a fresh hub per round, $WARMUP_N warm-up messages after each start."
    echo
    echo "### Verdict (medians of $ROUNDS interleaved rounds)"
    echo
    echo "| variant | scenario | goal | measured | verdict |"
    echo "|---|---|---|---|---|"
    for v in $VARIANTS; do
        h=$(med "$v" healthy seconds)
        case " $SCENARIOS " in *" recovery "*)
            verdict_row "$v" recovery "$(awk -v h="$h" -v o="$open" 'BEGIN { if (h == "-") print "-"; else printf "%.1f", 2 * h + o }')" \
                "<= 2x healthy ($h s) + open period ($open s)" ;;
        esac
        case " $SCENARIOS " in *" half "*)
            verdict_row "$v" half "$(awk -v h="$h" 'BEGIN { if (h == "-") print "-"; else printf "%.1f", 3 * h }')" "<= 3x healthy ($h s)" ;;
        esac
    done
    echo
    echo "### Medians"
    echo
    echo "Seconds: healthy and half from the first post, recovery from the target's return. Calls: what the stub received;"
    echo "attempts: the hub's attempts, summed over the receipts (calls > attempts: retries inside one attempt)."
    echo
    echo "| variant | scenario | seconds | / healthy | drained | stub calls | of them 503 | attempts | max attempts per message |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for v in $VARIANTS; do
        h=$(med "$v" healthy seconds)
        for s in $SCENARIOS; do
            echo "| $v | $s | $(measured "$v" "$s") | $(ratio "$(med "$v" "$s" seconds)" "$h") | $(drained_of "$v" "$s") of $(runs_of "$v" "$s") | $(med "$v" "$s" calls) | $(med "$v" "$s" refused) | $(med "$v" "$s" attempts) | $(med "$v" "$s" max_attempts) |"
        done
    done
    echo
    echo "### Every run"
    echo
    echo "| round | variant | scenario | seconds | delivered | posting s | delivered at return | stub calls | 503 | attempts | max attempts |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    while IFS=$'\t' read -r r v s _ l; do
        l=" $l"
        echo "| $r | $v | $s | $(kv "$l" seconds) | $(kv "$l" delivered) of $(kv "$l" accepted) | $(kv "$l" post_seconds) | $(kv "$l" delivered_at_return | sed 's/^-1$/-/') | $(kv "$l" calls) | $(kv "$l" refused) | $(kv "$l" attempts) | $(kv "$l" max_attempts) |"
    done <"$WORK/runs.tsv"
    echo
    echo "### Reading the numbers"
    echo
    echo "- healthy and half include the posting (\"posting s\"): when delivery keeps up with intake, healthy is about the posting time."
    echo "- recovery counts from the target's return; \"delivered at return\" is 0 when the outage held everything back. Attempts beyond N are"
    echo "  the failed attempts the outage (or the half-failing target) cost; a recovery shorter than healthy means most messages"
    echo "  had not been attempted before the return, e.g. because each failing attempt held a delivery slot."
    echo "- stub calls above attempts are calls the hub never counted: retries inside one attempt (camel-http's client retries a"
    echo "  503 once after 1 s by itself). A message's first 503 from the half-failing stub is one call; its second call succeeds."
    echo "- a breaker opens when half the calls of a full window fail; while open, messages are postponed by the open period"
    echo "  without spending attempts. At the half-failing stub a half-open probe that is a message's first call fails and reopens it"
    echo "  (stub calls = distinct keys in the output: every call was a first call)."
    echo
    echo "### Machine"
    echo
    machine_lines "; load average (1 min) before the run: $LOAD_BEFORE, at the scenarios' starts: $(sort -g "$WORK/loads" | sed -n '1p;$p' | paste -sd- -)"
    echo "<!-- recovery:end -->"
}

main() {
    STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    COMMAND="$([ "$QUICK" != 1 ] || echo "QUICK=1 ")N=$N ROUNDS=$ROUNDS OUTAGE=$OUTAGE DEADLINE=$DEADLINE RETRY=\"$RETRY\" BREAKER=\"$BREAKER\" HUB_JAVA_OPTS=\"$HUB_JAVA_OPTS\"$([ -z "${HUB_JAR:-}" ] || echo " HUB_JAR=$HUB_JAR") bench/recovery.sh"
    JAR_COMMIT=${JAR_COMMIT:-}
    [ -n "${HUB_JAR:-}" ] || JAR_COMMIT="commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src pom.xml 2>/dev/null || echo ' + uncommitted changes')"
    install_tools jdk curl sha256sum
    build
    WORK=$(mktemp -d /tmp/jx-recovery.XXXXXX)
    STUB_PORT=$(free_port)
    SINK_PORT=$STUB_PORT   # launch_hub never gives the hub this port
    write_bench_files
    log "retry $RETRY; breaker $BREAKER; $N messages x $ROUNDS rounds; stub :$STUB_PORT; work $WORK"
    run_rounds
    section >"$WORK/section.md"
    write_section recovery "$WORK/section.md" "$RESULTS_FILE"
    echo
    sed -n '/^### Verdict/,/^### Every run/p' "$WORK/section.md" | sed '$d'
    log "written to $RESULTS_FILE"
}

main "$@"
