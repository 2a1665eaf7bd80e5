"""Fixtures for the WebSocket tests: a real WSTestServer process on an ephemeral loopback port."""
import os
import pathlib
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def _server_binary() -> pathlib.Path:
    """ELASTIC_WS_TEST_SERVER, else the default debug build, built on demand."""
    explicit = os.environ.get("ELASTIC_WS_TEST_SERVER")
    if explicit:
        return pathlib.Path(explicit)
    binary = ROOT / ".build" / "debug" / "WSTestServer"
    if not binary.exists():
        subprocess.run(["swift", "build", "--product", "WSTestServer"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, timeout=1800)
    return binary


class ServerProcess:
    def __init__(self, *args: str):
        self.process = subprocess.Popen([str(_server_binary()), "--port", "0", *args], cwd=ROOT,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("LISTENING ") or not line:
                break
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"WSTestServer did not start (last line {line!r})")
        self.port = int(line.split()[1])
        self.http = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()  # the server stops when stdin closes
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def ws_server():
    server = ServerProcess("--max-message", "65536", "--max-queued", "1048576")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ws_server_no_deflate():
    server = ServerProcess("--no-deflate")
    yield server
    server.stop()


@pytest.fixture
def fresh_ws_server():
    """A server of its own, for tests that stop it."""
    server = ServerProcess()
    yield server
    server.stop()
