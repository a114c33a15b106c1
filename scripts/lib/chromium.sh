# Debian's Chromium for the dashboard's browser tests (Playwright drives it by ExecutablePath; Playwright's own browser
# download is not used). Installed with apt-get when missing. Nothing runs between tests: each test run launches the
# browser itself and closes it, so there is nothing to stop.
# Exports FLOWS_TEST_CHROMIUM, the browser's path.

install_chromium() {
    if [[ $EUID -ne 0 ]]; then
        problem "chromium is not installed and this is not root: cannot apt-get install it"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        problem "chromium is not installed and there is no apt-get"
        return 1
    fi
    phase "installing Chromium (apt-get install chromium)"
    local log
    log="$(mktemp)"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >"$log" 2>&1 ||
        { DEBIAN_FRONTEND=noninteractive apt-get update >>"$log" 2>&1 &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >>"$log" 2>&1; }; then
        rm -f -- "$log"
        return 0
    fi
    tail -n 20 "$log" >&2 || true
    rm -f -- "$log"
    return 1
}

start_chromium() {
    local path
    path="$(command -v chromium || true)"
    if [[ -z $path ]]; then
        install_chromium || return 1
        path="$(command -v chromium || true)"
    fi
    if [[ -z $path ]] || ! "$path" --version >/dev/null 2>&1; then
        problem "chromium could not be found or does not start"
        return 1
    fi
    export FLOWS_TEST_CHROMIUM="$path"
}

stop_chromium() { :; }
