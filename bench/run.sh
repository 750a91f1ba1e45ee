#!/usr/bin/env bash
# The whole benchmark in one session: installs what is missing (wrk, nginx, postgresql, a JDK, curl, unzip) with
# apt-get, builds target/junction.jar once, then runs
#   1. bench/intake.sh: intake req/s, p50/p99 at 1, 100 and 1000 partners with 1 KiB and 64 KiB bodies on H2 and
#      PostgreSQL, next to nginx `return 202` and the raw single-row and batched commit rates of the same database,
#      interleaved rounds, medians, the hub's peak RSS;
#   2. bench/e2e.sh: end-to-end webhook -> HTTP target latency at 30/50/80% of the maximum intake rate, open loop
#      (bench/E2eLoad.java times each request from its scheduled send), the hub's peak RSS;
# each writing its own section of bench/RESULTS.md, and this script a summary section with every verdict. At the end
# it prints the combined verdict table (MET / NOT MET for each target):
#   intake >= 1.0x the raw single-row commit rate of the same database; 1000 (and 100) partners within 10% of 1 partner;
#   intake p99 < 50 ms; end-to-end p99 < 100 ms at 50% load (with no growing backlog, delivery >= intake); RSS < 512 MiB.
# Run on their own, not by this script: bench/recovery.sh (delivery after a target outage and to a half-failing
# target, against a healthy drain: its own "Recovery" section, about 20 minutes) and bench/profile.sh (CPU by thread).
#
#   bench/run.sh                          # the full matrix, 3 interleaved rounds (about an hour on 2 quiet cores)
#   QUICK=1 bench/run.sh                  # 1 round, short runs: checks that everything works (15-20 minutes)
#   QUICK=1 SCENARIOS="nginx raw-h2 hub-h2 hub-h2/p1000" DATABASES=h2 RESULTS_FILE=/tmp/r.md bench/run.sh
#
# Settings (environment; each script's own settings, documented at its top, pass through as well):
#   QUICK=1             1 round; intake: 3 s runs after 3 s warm-up, raw runs 3 s + 1 s batched; e2e: one 3 s max-rate
#                       run, 15 s hub warm-up, 2 s + 5 s per load, no re-check and no jstack diagnosis. Every setting
#                       below still wins over QUICK's value when given.
#   ROUNDS=3            interleaved rounds of both benchmarks
#   DURATION / WARMUP   measured / warm-up seconds of every run of both; INTAKE_DURATION=10 INTAKE_WARMUP=60 and
#                       E2E_DURATION=20 E2E_WARMUP=5 set them for one benchmark only (defaults shown)
#   SCENARIOS="nginx nginx/b64k raw-h2 raw-h2/b64k raw-pg raw-pg/b64k hub-{h2,pg}{,/p100,/p1000}{,/b64k}"
#                       intake scenarios, <base>[@writers][/p<partners>][/b<KiB>k] (see bench/intake.sh)
#   LOADS="30 50 80" DATABASES="h2 pg"   e2e fixed rates (percent of the max) and databases
#   RUN_INTAKE=1 RUN_E2E=1   0 skips that benchmark (its section of RESULTS.md stays as it was)
#   RESULTS_FILE=bench/RESULTS.md   where the three sections go (bench/RESULTS.intake.tsv beside it)
#   SKIP_BUILD=1        use the existing target/junction.jar
#   KEEP_WORK=1         keep the temp dirs (logs, wrk and load generator output) for inspection
#
# Needs root (or sudo) only for apt-get. Everything runs in temp dirs and talks to 127.0.0.1 only; each script's trap
# stops every nginx, PostgreSQL and hub process it started, and this script's trap stops the running script.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
cd "$ROOT"
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

QUICK=${QUICK:-0}
RESULTS_FILE=${RESULTS_FILE:-$BENCH/RESULTS.md}
SKIP_BUILD=${SKIP_BUILD:-0}
RUN_INTAKE=${RUN_INTAKE:-1}
RUN_E2E=${RUN_E2E:-1}
KEEP_WORK=${KEEP_WORK:-0}
if [ "$QUICK" = 1 ]; then
    ROUNDS=${ROUNDS:-1}
    INTAKE_DURATION=${INTAKE_DURATION:-${DURATION:-3}}
    INTAKE_WARMUP=${INTAKE_WARMUP:-${WARMUP:-3}}
    E2E_DURATION=${E2E_DURATION:-${DURATION:-5}}
    E2E_WARMUP=${E2E_WARMUP:-${WARMUP:-2}}
    # Short preliminaries, as environment defaults for the scripts (a value given by the caller wins).
    export RAW_BATCH_SECONDS=${RAW_BATCH_SECONDS:-1}
    export MAX_RUNS=${MAX_RUNS:-1} MAX_DURATION=${MAX_DURATION:-3} MAX_WARMUP=${MAX_WARMUP:-1}
    export HUB_WARMUP=${HUB_WARMUP:-15} HUB_WARMUP_MAX=${HUB_WARMUP_MAX:-15} MAX_RECHECK=${MAX_RECHECK:-0}
    export DIAGNOSE=${DIAGNOSE:-0} DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-30}
fi
ROUNDS=${ROUNDS:-3}
INTAKE_DURATION=${INTAKE_DURATION:-${DURATION:-10}}
INTAKE_WARMUP=${INTAKE_WARMUP:-${WARMUP:-60}}
E2E_DURATION=${E2E_DURATION:-${DURATION:-20}}
E2E_WARMUP=${E2E_WARMUP:-${WARMUP:-5}}

bench_traps   # its cleanup also stops CHILD_PID, the running benchmark script

# Runs one benchmark script in the background and waits for it, so that a signal to this script reaches our trap.
run_child() {  # script VAR=value...
    local script=$1 rc=0
    shift
    log "running bench/$script"
    env "$@" SKIP_BUILD=1 RESULTS_FILE="$RESULTS_FILE" VERDICTS_FILE="$VERDICTS_FILE" KEEP_WORK="$KEEP_WORK" bash "$BENCH/$script" &
    CHILD_PID=$!
    wait "$CHILD_PID" || rc=$?
    CHILD_PID=""
    [ "$rc" = 0 ] || die "bench/$script failed (exit $rc)"
}

# The combined verdict table, as text (for the terminal) or Markdown (for RESULTS.md).
verdict_table() {  # text|md
    local met all
    all=$(wc -l <"$VERDICTS_FILE" | tr -d ' ')
    met=$(awk -F'\t' '$5 == "MET"' "$VERDICTS_FILE" | wc -l | tr -d ' ')
    if [ "$1" = md ]; then
        echo "| benchmark | target | scenario | measured | verdict |"
        echo "|---|---|---|---|---|"
        awk -F'\t' '{ printf "| %s | %s | %s | %s | **%s** |\n", $1, $2, $3, $4, $5 }' "$VERDICTS_FILE"
        echo
        echo "Targets met: **$met of $all**."
    else
        awk -F'\t' 'BEGIN { printf "%-7s %-52s %-20s %-30s %s\n", "bench", "target", "scenario", "measured", "verdict" }
            { printf "%-7s %-52s %-20s %-30s %s\n", $1, $2, $3, $4, $5 }' "$VERDICTS_FILE"
        echo "Targets met: $met of $all."
    fi
}

summary_section() {
    echo "<!-- summary:start -->"
    echo "## Summary: every target"
    echo
    echo "Written by \`bench/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') (session started $SESSION_START, $(awk -v s="$SESSION_EPOCH" -v e="$(date +%s)" 'BEGIN { printf "%.0f", (e - s) / 60 }') min),"
    echo "on $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);"
    echo "the sections below give the machine, the commands and every figure."
    [ "$QUICK" != 1 ] || echo "**QUICK=1: a check that the benchmark works, not figures to quote.**"
    echo
    verdict_table md
    echo
    echo "Reproduce (installs what is missing, builds, runs both benchmarks):"
    echo
    echo '```'
    echo "$COMMAND"
    echo '```'
    echo "<!-- summary:end -->"
}

main() {
    SESSION_START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
    SESSION_EPOCH=$(date +%s)
    COMMAND="$([ "$QUICK" != 1 ] || echo "QUICK=1 ")HUB_JAVA_OPTS=\"${HUB_JAVA_OPTS--Xmx256m}\" ROUNDS=$ROUNDS INTAKE_DURATION=$INTAKE_DURATION INTAKE_WARMUP=$INTAKE_WARMUP E2E_DURATION=$E2E_DURATION E2E_WARMUP=$E2E_WARMUP$([ -z "${SCENARIOS:-}" ] || echo " SCENARIOS=\"$SCENARIOS\"")$([ -z "${LOADS:-}" ] || echo " LOADS=\"$LOADS\"")$([ -z "${DATABASES:-}" ] || echo " DATABASES=\"$DATABASES\"")$([ "$RUN_INTAKE" = 1 ] || echo " RUN_INTAKE=0")$([ "$RUN_E2E" = 1 ] || echo " RUN_E2E=0") bench/run.sh"
    install_tools wrk nginx postgresql jdk curl unzip sha256sum
    build
    WORK=$(mktemp -d /tmp/jx-run.XXXXXX)
    VERDICTS_FILE="$WORK/verdicts.tsv"
    : >"$VERDICTS_FILE"
    if [ "$RUN_INTAKE" = 1 ]; then
        run_child intake.sh ROUNDS="$ROUNDS" DURATION="$INTAKE_DURATION" WARMUP="$INTAKE_WARMUP"
    fi
    if [ "$RUN_E2E" = 1 ]; then
        run_child e2e.sh ROUNDS="$ROUNDS" DURATION="$E2E_DURATION" WARMUP="$E2E_WARMUP"
    fi
    [ -s "$VERDICTS_FILE" ] || die "no verdicts were written"
    summary_section >"$WORK/summary.md"
    BEFORE_SECTIONS=1 write_section summary "$WORK/summary.md" "$RESULTS_FILE"
    echo
    echo "== Verdicts ($(date -u '+%Y-%m-%d %H:%M UTC'); figures and commands in $RESULTS_FILE) =="
    verdict_table text
}

main "$@"
