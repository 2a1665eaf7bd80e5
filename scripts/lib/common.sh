# Sourced by the scripts in scripts/: paths and small helpers shared by setup, run, test and bench.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${ELASTIC_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
MODELS_DIR="$ROOT/models"
TESTDATA_DIR="$ROOT/testdata"

# Every AWS-talking process we start talks to loopback with explicit test keys and never asks
# the real instance-metadata address for credentials.
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-testing}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-testing}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (the kernel picks; there is a tiny race, which callers tolerate by retrying).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
