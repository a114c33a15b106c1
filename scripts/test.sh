#!/usr/bin/env bash
# Runs the whole Flows.Sdk test suite from a fresh clone; only the .NET SDK is assumed.
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter Category=Fast]
#
# Phases: build (Release) -> throw-away PostgreSQL on 127.0.0.1 -> dotnet test
# with one TRX per test project -> summed counts. The very last line of output
# is "N passed, N failed[, N skipped]"; the exit code is non-zero if anything
# failed, dotnet test failed, or nothing ran.
#
# Environment:
#   CI=true                 PostgreSQL or s3rver that cannot start is an error (else a warning).
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
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

SOLUTION="${FLOWS_SOLUTION:-Flows.sln}"
IS_CI=false
case "${CI:-}" in true | TRUE | True | 1) IS_CI=true ;; esac

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild/compiler server may outlive the script (and hold its stdout open).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0

phase() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
err() { printf 'ERROR: %s\n' "$*" >&2; }
# PostgreSQL trouble is an error under CI and only a warning elsewhere.
pg_problem() { if [[ $IS_CI == true ]]; then err "$@"; else warn "$@"; fi; }

# ---------------------------------------------------------------- cleanup
PG_TMP=""          # temp folder of the cluster (data, socket, log)
PG_BIN=""          # folder with initdb/pg_ctl
PG_RUNNING=false
RESULTS_DIR=""
RESULTS_DIR_OWNED=false
DOTNET_PID=""       # dotnet test, while it runs

as_pg() {
    # PostgreSQL refuses to run as root: run its tools as the postgres user then.
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

stop_postgres() {
    # Silent and idempotent: it also runs from the EXIT trap after the closing line.
    if [[ $PG_RUNNING == true ]]; then
        PG_RUNNING=false
        if ! as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate -w -t 30 >/dev/null 2>&1; then
            local pid
            pid="$(head -n1 "$PG_TMP/data/postmaster.pid" 2>/dev/null || true)"
            if [[ $pid =~ ^[0-9]+$ ]]; then
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -n $PG_TMP ]]; then
        rm -rf -- "$PG_TMP"
        PG_TMP=""
    fi
}

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

# ---------------------------------------------------------------- PostgreSQL
find_pg_bin() {
    if [[ -n ${FLOWS_PG_BIN:-} ]]; then
        [[ -x $FLOWS_PG_BIN/initdb && -x $FLOWS_PG_BIN/pg_ctl ]] && { printf '%s\n' "$FLOWS_PG_BIN"; return 0; }
        return 1
    fi
    local d
    # Newest major version first (sort -V handles 9.6 < 15 < 16).
    while IFS= read -r d; do
        [[ -x $d/initdb && -x $d/pg_ctl ]] && { printf '%s\n' "$d"; return 0; }
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
    return 1
}

install_postgres() {
    if [[ $EUID -ne 0 ]]; then
        pg_problem "PostgreSQL is not installed and this is not root: cannot apt-get install it"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        pg_problem "PostgreSQL is not installed and there is no apt-get"
        return 1
    fi
    phase "installing PostgreSQL (apt-get install postgresql)"
    local log
    log="$(mktemp)"
    if DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >>"$log" 2>&1; then
        rm -f -- "$log"
        return 0
    fi
    tail -n 20 "$log" >&2 || true
    rm -f -- "$log"
    return 1
}

port_is_free() {
    # Pure bash: nothing listening on 127.0.0.1:$1 means the connect is refused at once.
    ! timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

pick_port() {
    local i p
    for ((i = 0; i < 30; i++)); do
        p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        if port_is_free "$p"; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    # Fallback (e.g. a bash without /dev/tcp): let the kernel choose.
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
        return 0
    fi
    return 1
}

start_postgres() {
    PG_BIN="$(find_pg_bin)" || PG_BIN=""
    if [[ -z $PG_BIN && -z ${FLOWS_PG_BIN:-} ]]; then
        install_postgres || true
        PG_BIN="$(find_pg_bin)" || PG_BIN=""
    fi
    if [[ -z $PG_BIN ]]; then
        pg_problem "initdb/pg_ctl not found (looked in ${FLOWS_PG_BIN:-/usr/lib/postgresql/*/bin})"
        return 1
    fi

    if [[ $EUID -eq 0 ]]; then
        if ! id -u postgres >/dev/null 2>&1; then
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin postgres
        fi
        # /tmp, not $TMPDIR: the postgres user must be able to reach the folder.
        PG_TMP="$(mktemp -d /tmp/flows-pg.XXXXXX)"
        chown postgres: "$PG_TMP"
    else
        PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/flows-pg.XXXXXX")"
    fi
    as_pg mkdir -p "$PG_TMP/sock"

    if ! as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --no-locale --no-sync \
        >"$PG_TMP/initdb.log" 2>&1; then
        pg_problem "initdb failed:"
        tail -n 20 "$PG_TMP/initdb.log" >&2 || true
        return 1
    fi
    # Everyone is trusted on loopback, except members of the role flows_password_required (tests create it): they
    # must give a password, so tests can check that a password really reaches the server (first matching line wins).
    as_pg sed -i '1i host all +flows_password_required 127.0.0.1/32 scram-sha-256' "$PG_TMP/data/pg_hba.conf"

    local attempt port
    for attempt in 1 2 3; do
        port="$(pick_port)" || { pg_problem "could not find a free TCP port on 127.0.0.1"; return 1; }
        phase "starting PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port"
        if as_pg "$PG_BIN/pg_ctl" start -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -k '$PG_TMP/sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >/dev/null 2>&1; then
            PG_RUNNING=true
            break
        fi
        # A port taken between the probe and the start: try another one.
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate >/dev/null 2>&1 || true
    done
    if [[ $PG_RUNNING != true ]]; then
        if [[ -s $PG_TMP/postgres.log ]]; then
            pg_problem "PostgreSQL did not start; last lines of its log:"
            tail -n 20 "$PG_TMP/postgres.log" >&2 || true
        else
            pg_problem "PostgreSQL did not start (pg_ctl start failed, no server log)"
        fi
        return 1
    fi
    if [[ -x $PG_BIN/pg_isready ]] && ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 30; then
        pg_problem "PostgreSQL started but does not accept connections on 127.0.0.1:$port"
        return 1
    fi
    export FLOWS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    export FLOWS_TEST_PG_BIN="$PG_BIN"
}

# ---------------------------------------------------------------- S3
# s3rver (npm) is installed once into a cache folder outside the repo and reused; each run
# gets its own data folder and a free port, both gone after the EXIT trap.
S3_DIR=""          # temp data folder of s3rver
S3_PID=""

s3_problem() { if [[ $IS_CI == true ]]; then err "$@"; else warn "$@"; fi; }

http_answers() {
    # Pure bash: an HTTP status line back from GET / on 127.0.0.1:$1.
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
        IFS= read -r line <&3 && [[ $line == HTTP/1.* ]]' _ "$1" 2>/dev/null
}

stop_s3rver() {
    # Silent and idempotent, like stop_postgres.
    if [[ -n $S3_PID ]]; then
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
        S3_PID=""
    fi
    if [[ -n $S3_DIR ]]; then
        rm -rf -- "$S3_DIR"
        S3_DIR=""
    fi
}

start_s3rver() {
    local cache="${XDG_CACHE_HOME:-$HOME/.cache}/flows-test/s3rver"
    local bin="$cache/node_modules/.bin/s3rver"
    if [[ ! -x $bin ]]; then
        if ! command -v npm >/dev/null 2>&1; then
            s3_problem "npm not found: cannot install s3rver"
            return 1
        fi
        phase "installing s3rver into $cache"
        mkdir -p -- "$cache"
        if ! npm install --prefix "$cache" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >"$cache/install.log" 2>&1; then
            tail -n 20 "$cache/install.log" >&2 || true
            s3_problem "npm install s3rver failed"
            return 1
        fi
    fi
    S3_DIR="$(mktemp -d "${TMPDIR:-/tmp}/flows-s3.XXXXXX")"
    local attempt port i
    for attempt in 1 2 3; do
        port="$(pick_port)" || { s3_problem "could not find a free TCP port for s3rver"; return 1; }
        phase "starting s3rver on 127.0.0.1:$port"
        mkdir -p -- "$S3_DIR/data"
        "$bin" --directory "$S3_DIR/data" --address 127.0.0.1 --port "$port" --silent >"$S3_DIR/s3rver.log" 2>&1 &
        S3_PID=$!
        for ((i = 0; i < 100; i++)); do
            kill -0 "$S3_PID" 2>/dev/null || break
            if http_answers "$port" && kill -0 "$S3_PID" 2>/dev/null; then
                export FLOWS_TEST_S3="http://127.0.0.1:$port"
                return 0
            fi
            sleep 0.1
        done
        kill -TERM "$S3_PID" 2>/dev/null || true
        wait "$S3_PID" 2>/dev/null || true
        S3_PID=""
    done
    s3_problem "s3rver did not start; last lines of its log:"
    tail -n 20 "$S3_DIR/s3rver.log" >&2 || true
    return 1
}

# ---------------------------------------------------------------- TRX
TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
TRX_COUNT=0

counter() { # counter NAME COUNTERS_ELEMENT -> the attribute's value, 0 when absent
    if [[ $2 =~ [[:space:]]$1=\"([0-9]+)\" ]]; then
        printf '%s\n' "${BASH_REMATCH[1]}"
    else
        printf '0\n'
    fi
}

sum_trx() {
    local f c total passed failed skipped
    while IFS= read -r -d '' f; do
        c="$(tr -d '\r\n' <"$f" | grep -o '<Counters[[:space:]][^>]*>' | head -n1 || true)"
        if [[ -z $c ]]; then
            warn "no <Counters> in $(basename "$f")"
            continue
        fi
        TRX_COUNT=$((TRX_COUNT + 1))
        total=$(counter total "$c")
        passed=$(counter passed "$c")
        failed=$(($(counter failed "$c") + $(counter error "$c") + $(counter timeout "$c") + $(counter aborted "$c")))
        # VSTest's TRX logger leaves notExecuted/inconclusive at 0 and counts NUnit's
        # ignored and inconclusive tests only in total (not in executed), so skipped is
        # whatever is neither passed nor failed; that also covers notExecuted/inconclusive
        # should a logger fill those in.
        skipped=$((total - passed - failed))
        ((skipped < 0)) && skipped=0
        TOTAL_PASSED=$((TOTAL_PASSED + passed))
        TOTAL_FAILED=$((TOTAL_FAILED + failed))
        TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
    done < <(find "$RESULTS_DIR" -type f -name '*.trx' -print0)
}

# ---------------------------------------------------------------- main
if [[ ! -f $SOLUTION ]]; then
    err "solution not found: $REPO_ROOT/$SOLUTION"
    exit 1
fi

phase "building $SOLUTION (Release)"
# Quiet unless it fails: the build log is shown only then.
build_log="$(mktemp "${TMPDIR:-/tmp}/flows-build.XXXXXX")"
if ! dotnet build "$SOLUTION" -c Release --nologo --disable-build-servers -v quiet >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f -- "$build_log"
    err "build failed"
    exit 1
fi
rm -f -- "$build_log"

if ! start_postgres; then
    stop_postgres
    if [[ $IS_CI == true ]]; then
        err "CI=true and PostgreSQL could not be started: failing"
        exit 1
    fi
    warn "continuing without PostgreSQL: FLOWS_TEST_POSTGRES is unset, tests that need it will be skipped"
    unset FLOWS_TEST_POSTGRES FLOWS_TEST_PG_BIN
fi

if ! start_s3rver; then
    stop_s3rver
    if [[ $IS_CI == true ]]; then
        err "CI=true and s3rver could not be started: failing"
        exit 1
    fi
    warn "continuing without s3rver: FLOWS_TEST_S3 is unset, tests that need it will be skipped"
    unset FLOWS_TEST_S3
fi

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

sum_trx

status=0
if ((test_rc != 0)); then
    err "dotnet test exited with $test_rc"
    status=1
fi
if ((TRX_COUNT == 0)); then
    err "no TRX results found: no test project ran"
    status=1
elif ((TOTAL_PASSED + TOTAL_FAILED == 0)); then
    err "no test was executed"
    status=1
fi
((TOTAL_FAILED > 0)) && status=1

summary="$TOTAL_PASSED passed, $TOTAL_FAILED failed"
((TOTAL_SKIPPED > 0)) && summary+=", $TOTAL_SKIPPED skipped"
# stderr above is unbuffered and already out; this must be the last line.
printf '%s\n' "$summary"
exit "$status"
