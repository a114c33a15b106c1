# A throw-away s3rver (an S3 API on 127.0.0.1; see common.sh for the shape of a service script).
# s3rver (npm) is installed once into a cache folder outside the repo and reused; each run gets its own data
# folder and a free port, both gone after stop_s3rver.
#   FLOWS_TEST_S3  out: its endpoint (access key and secret S3RVER).

S3_DIR=""          # temp data folder of s3rver
S3_PID=""

http_answers() {
    # Pure bash: an HTTP status line back from GET / on 127.0.0.1:$1.
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        printf "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3
        IFS= read -r line <&3 && [[ $line == HTTP/1.* ]]' _ "$1" 2>/dev/null
}

stop_s3rver() {
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
            problem "npm not found: cannot install s3rver"
            return 1
        fi
        phase "installing s3rver into $cache"
        mkdir -p -- "$cache"
        if ! npm install --prefix "$cache" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >"$cache/install.log" 2>&1; then
            tail -n 20 "$cache/install.log" >&2 || true
            problem "npm install s3rver failed"
            return 1
        fi
    fi
    S3_DIR="$(mktemp -d "${TMPDIR:-/tmp}/flows-s3.XXXXXX")"
    local attempt port i
    for attempt in 1 2 3; do
        port="$(pick_port)" || { problem "could not find a free TCP port for s3rver"; return 1; }
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
    problem "s3rver did not start; last lines of its log:"
    tail -n 20 "$S3_DIR/s3rver.log" >&2 || true
    return 1
}
