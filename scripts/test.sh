#!/usr/bin/env bash
# Runs the whole Flows.Sdk test suite from a fresh clone; only the .NET SDK is assumed.
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter Category=Fast]
#
# Phases: build (Release) -> throw-away PostgreSQL and s3rver on 127.0.0.1, Chromium (scripts/lib/) -> dotnet test
# with one TRX per test project -> summed counts (eng/TrxSummary). The very last line of output
# is "N passed, N failed[, N skipped]"; the exit code is non-zero if anything
# failed, dotnet test failed, nothing ran, or a TRX could not be read.
#
# Environment:
#   CI=true                 PostgreSQL, s3rver or Chromium that cannot start is an error (else a warning).
#   FLOWS_SOLUTION          solution to test, relative to the repo root (default Flows.sln).
#   FLOWS_PG_BIN            folder holding initdb/pg_ctl; when set it is the only place
#                           looked at and nothing is installed.
#   FLOWS_TEST_RESULTS_DIR  keep the TRX files here (must be empty or absent); by default
#                           they go to a temp folder that is removed on exit.
# Exported to the tests:
#   FLOWS_TEST_POSTGRES     Npgsql connection string of the throw-away cluster (unset
#                           when PostgreSQL is unavailable outside CI).
#   FLOWS_TEST_PG_BIN       the folder holding initdb/pg_ctl, for tests that start and stop
#                           a cluster of their own (unset when PostgreSQL is unavailable).
#   FLOWS_TEST_S3           endpoint of a throw-away s3rver on 127.0.0.1 (access key and
#                           secret S3RVER; unset when it is unavailable outside CI).
#   FLOWS_TEST_CHROMIUM     Debian's chromium (apt-get installed when missing) for the dashboard's
#                           browser tests (unset when it is unavailable outside CI).
# Services stop at exit, Ctrl-C included. A test that hangs is killed after 5 minutes and counted as failed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
source scripts/lib/common.sh
source scripts/lib/postgres.sh
source scripts/lib/s3rver.sh
source scripts/lib/chromium.sh

SOLUTION="${FLOWS_SOLUTION:-Flows.sln}"
SUMMARY_PROJECT=eng/TrxSummary/TrxSummary.csproj

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild/compiler server may outlive the script (and hold its stdout open).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

RESULTS_DIR=""
RESULTS_DIR_OWNED=false
DOTNET_PID=""       # dotnet test, while it runs

stop_dotnet() {
    [[ -n $DOTNET_PID ]] || return 0
    if kill -TERM "$DOTNET_PID" 2>/dev/null; then
        local i
        for ((i = 0; i < 50; i++)); do
            kill -0 "$DOTNET_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$DOTNET_PID" 2>/dev/null || true
    fi
    DOTNET_PID=""
}

cleanup() {
    stop_dotnet
    stop_postgres
    stop_s3rver
    if [[ $RESULTS_DIR_OWNED == true && -n $RESULTS_DIR ]]; then
        rm -rf -- "$RESULTS_DIR"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# quiet_build PROJECT_OR_SOLUTION: the build log is shown only when it fails.
quiet_build() {
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/flows-build.XXXXXX")"
    if ! dotnet build "$1" -c Release --nologo --disable-build-servers -v quiet >"$log" 2>&1; then
        cat "$log" >&2
        rm -f -- "$log"
        err "build of $1 failed"
        exit 1
    fi
    rm -f -- "$log"
}

if [[ ! -f $SOLUTION ]]; then
    err "solution not found: $REPO_ROOT/$SOLUTION"
    exit 1
fi

phase "building $SOLUTION (Release)"
quiet_build "$SOLUTION"
# Usually built with Flows.sln already (then this is quick); built on its own for any other solution.
quiet_build "$SUMMARY_PROJECT"

start_service postgres PostgreSQL FLOWS_TEST_POSTGRES FLOWS_TEST_PG_BIN
start_service s3rver s3rver FLOWS_TEST_S3
start_service chromium Chromium FLOWS_TEST_CHROMIUM

if [[ -n ${FLOWS_TEST_RESULTS_DIR:-} ]]; then
    RESULTS_DIR="$FLOWS_TEST_RESULTS_DIR"
    mkdir -p -- "$RESULTS_DIR"
    if [[ -n $(find "$RESULTS_DIR" -mindepth 1 -print -quit) ]]; then
        err "FLOWS_TEST_RESULTS_DIR=$RESULTS_DIR is not empty"
        exit 1
    fi
else
    RESULTS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/flows-test-results.XXXXXX")"
    RESULTS_DIR_OWNED=true
fi

phase "running tests"
test_rc=0
# --no-build: test exactly the Release output built above. Run in the background
# and wait, so a TERM/INT reaches the trap at once (bash defers traps while a
# foreground child runs) and cleanup() can stop dotnet before the cluster.
# A test that hangs is killed after 5 minutes and counted as failed, instead of running into CI's time limit.
dotnet test "$SOLUTION" -c Release --no-build --nologo --logger "trx" --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout 5m "$@" &
DOTNET_PID=$!
wait "$DOTNET_PID" || test_rc=$?
DOTNET_PID=""

if [[ $PG_RUNNING == true ]]; then
    phase "stopping PostgreSQL"
    stop_postgres
fi

status=0
if ((test_rc != 0)); then
    err "dotnet test exited with $test_rc"
    status=1
fi
# The summing tool says on stderr what is wrong (a failure, no TRX, nothing executed, a TRX it cannot read,
# naming the file) and writes the closing line on stdout; it exits non-zero in each of those cases.
summary_rc=0
summary="$(dotnet run --project "$SUMMARY_PROJECT" -c Release --no-build -- "$RESULTS_DIR")" || summary_rc=$?
((summary_rc != 0)) && status=1
if [[ -z $summary ]]; then
    err "the TRX results could not be summed (dotnet run --project $SUMMARY_PROJECT exited with $summary_rc)"
    summary="0 passed, 0 failed"
    status=1
fi
# stderr above is unbuffered and already out; this must be the last line.
printf '%s\n' "${summary##*$'\n'}"
exit "$status"
