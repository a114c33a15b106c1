# A throw-away PostgreSQL cluster on 127.0.0.1 (see common.sh for the shape of a service script).
#   FLOWS_PG_BIN         in: folder holding initdb/pg_ctl; when set it is the only place looked at and nothing is
#                        installed. Otherwise the newest /usr/lib/postgresql/*/bin, apt-get installing it if absent.
#   FLOWS_TEST_POSTGRES  out: Npgsql connection string of the cluster.
#   FLOWS_TEST_PG_BIN    out: the folder holding initdb/pg_ctl, for tests that start and stop a cluster of their own.

PG_TMP=""          # temp folder of the cluster (data, socket, log)
PG_BIN=""          # folder with initdb/pg_ctl
PG_RUNNING=false

as_pg() {
    # PostgreSQL refuses to run as root: run its tools as the postgres user then.
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

stop_postgres() {
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
        problem "PostgreSQL is not installed and this is not root: cannot apt-get install it"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        problem "PostgreSQL is not installed and there is no apt-get"
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

start_postgres() {
    PG_BIN="$(find_pg_bin)" || PG_BIN=""
    if [[ -z $PG_BIN && -z ${FLOWS_PG_BIN:-} ]]; then
        install_postgres || true
        PG_BIN="$(find_pg_bin)" || PG_BIN=""
    fi
    if [[ -z $PG_BIN ]]; then
        problem "initdb/pg_ctl not found (looked in ${FLOWS_PG_BIN:-/usr/lib/postgresql/*/bin})"
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
        problem "initdb failed:"
        tail -n 20 "$PG_TMP/initdb.log" >&2 || true
        return 1
    fi
    # Everyone is trusted on loopback, except members of the role flows_password_required (tests create it): they
    # must give a password, so tests can check that a password really reaches the server (first matching line wins).
    as_pg sed -i '1i host all +flows_password_required 127.0.0.1/32 scram-sha-256' "$PG_TMP/data/pg_hba.conf"

    # Connections: the test assemblies run side by side, and replica tests hold several pools each (run store, job
    # store, listener); the default of 100 ran out under CI load, and a refused connection is a transient error the
    # recorder waits out on a test's stopped clock.
    local attempt port
    for attempt in 1 2 3; do
        port="$(pick_port)" || { problem "could not find a free TCP port on 127.0.0.1"; return 1; }
        phase "starting PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port"
        if as_pg "$PG_BIN/pg_ctl" start -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -c port=$port -k '$PG_TMP/sock' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
            >/dev/null 2>&1; then
            PG_RUNNING=true
            break
        fi
        # A port taken between the probe and the start: try another one.
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_TMP/data" -m immediate >/dev/null 2>&1 || true
    done
    if [[ $PG_RUNNING != true ]]; then
        if [[ -s $PG_TMP/postgres.log ]]; then
            problem "PostgreSQL did not start; last lines of its log:"
            tail -n 20 "$PG_TMP/postgres.log" >&2 || true
        else
            problem "PostgreSQL did not start (pg_ctl start failed, no server log)"
        fi
        return 1
    fi
    if [[ -x $PG_BIN/pg_isready ]] && ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres -t 30; then
        problem "PostgreSQL started but does not accept connections on 127.0.0.1:$port"
        return 1
    fi
    export FLOWS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    export FLOWS_TEST_PG_BIN="$PG_BIN"
}
