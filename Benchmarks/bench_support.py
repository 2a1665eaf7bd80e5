"""What the Python benchmark drivers share: the repository root, real photos, a private moto
server on loopback, and a process's own CPU time from /proc."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHOTO_DIRS = [ROOT / "testdata/photos", ROOT.parent / "shared/photos"]
TICKS = os.sysconf("SC_CLK_TCK")
# Every AWS-talking process gets these: explicit test keys, and no instance-metadata lookups.
AWS_TEST_ENV = {"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


def photos(count: int) -> list[tuple[str, bytes]]:
    """`count` (name, bytes) pairs cycling through setup's photos and ../shared/photos."""
    found = []
    for directory in PHOTO_DIRS:
        if directory.is_dir():
            found += [(p.name, p.read_bytes()) for p in sorted(directory.iterdir())
                      if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    if not found:
        sys.exit("no photos: run scripts/setup")
    return [(f"{i:03d}-{found[i % len(found)][0]}", found[i % len(found)][1]) for i in range(count)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto(request_log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """A moto server on a free loopback port, answering; returns it and its endpoint. With
    `request_log`, moto's access log (one line per request, from werkzeug) goes to that file."""
    port = free_port()
    log = open(request_log, "ab") if request_log else subprocess.DEVNULL
    process = subprocess.Popen([str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=log, env=dict(os.environ, **AWS_TEST_ENV))
    if request_log:
        log.close()
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return process, endpoint
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit("moto did not start")


def cpu_seconds(pid: int) -> float:
    """user + system CPU of a live process, all its threads (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


REQUEST_LINE = re.compile(r'"(GET|PUT|POST|HEAD|DELETE) (\S+) HTTP/1\.[01]" (\d{3})')


def moto_requests(request_log: Path, start: int = 0) -> list[tuple[str, str, int]]:
    """(method, path, status) of each request moto logged after byte offset `start` of its log."""
    with open(request_log, "rb") as log:
        log.seek(start)
        text = log.read().decode(errors="replace")
    return [(m[1], m[2], int(m[3])) for m in REQUEST_LINE.finditer(text)]
