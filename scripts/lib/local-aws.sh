# Local AWS for tests and `scripts/run`: a moto server on a free loopback port.
# Source this file, then call start_local_aws; it exports MOTO_ENDPOINT and MOTO_PID and installs
# an EXIT trap that stops exactly the process it started (never a process it did not start).
# shellcheck shell=bash

start_local_aws() {
    local port log tries
    [ -x "$VENV/bin/moto_server" ] || die "moto is not installed: run scripts/setup"
    mkdir -p "$ROOT/.build"
    log="$ROOT/.build/moto.log"
    for tries in 1 2 3; do
        port="$(free_port)"
        "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
        MOTO_PID=$!
        trap stop_local_aws EXIT
        # A shell killed by a signal skips its EXIT trap; exiting on the signal runs it, so a
        # `kill` of the script (not only Ctrl-C, which reaches moto itself) stops moto too.
        trap 'exit 129' HUP
        trap 'exit 130' INT
        trap 'exit 143' TERM
        # Ready in about half a second; give it ten.
        for _ in $(seq 1 100); do
            if curl -fsS -o /dev/null "http://127.0.0.1:$port/moto-api/" 2>/dev/null; then
                export MOTO_ENDPOINT="http://127.0.0.1:$port" MOTO_PID
                say "local AWS (moto) on $MOTO_ENDPOINT, pid $MOTO_PID"
                return 0
            fi
            kill -0 "$MOTO_PID" 2>/dev/null || break
            sleep 0.1
        done
        stop_local_aws
    done
    cat "$log" >&2
    die "moto did not start (log above)"
}

stop_local_aws() {
    if [ -n "${MOTO_PID:-}" ] && kill -0 "$MOTO_PID" 2>/dev/null; then
        kill -TERM "$MOTO_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$MOTO_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    MOTO_PID=""
}
