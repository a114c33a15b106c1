# Shared by scripts/test.sh and the service scripts beside this file. Source it first.
#
# A service script (postgres.sh, s3rver.sh; a chromium.sh would follow the same shape) defines
#   start_<name>  starts a throw-away instance on 127.0.0.1 and exports what the tests read; on trouble it calls
#                 `problem` and returns non-zero;
#   stop_<name>   silent and idempotent: it also runs from the EXIT trap, after the closing line.
# `start_service <name> <label> <VARS...>` then applies the one rule: a service that cannot start fails the run
# under CI=true, and elsewhere is a warning with its variables unset (the tests needing it are skipped).

IS_CI=false
case "${CI:-}" in true | TRUE | True | 1) IS_CI=true ;; esac

phase() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
err() { printf 'ERROR: %s\n' "$*" >&2; }
# Trouble with a service: an error under CI, only a warning elsewhere.
problem() { if [[ $IS_CI == true ]]; then err "$@"; else warn "$@"; fi; }

# start_service NAME LABEL VAR... : start_NAME, or stop_NAME and fail (CI) or carry on without VAR... (elsewhere).
start_service() {
    local name=$1 label=$2
    shift 2
    "start_$name" && return 0
    "stop_$name"
    if [[ $IS_CI == true ]]; then
        err "CI=true and $label could not be started: failing"
        exit 1
    fi
    warn "continuing without $label: $1 is unset, tests that need it will be skipped"
    unset "$@"
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
