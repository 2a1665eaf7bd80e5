"""Starts the Swift HTTPTestServer (Tests/HTTPTestServer) on an ephemeral loopback port."""
import os
import pathlib
import signal
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[3]


def server_binary() -> pathlib.Path:
    explicit = os.environ.get("HTTP_TEST_SERVER")
    if explicit:
        return pathlib.Path(explicit)
    for scratch in (".build", ".build-httpcore"):
        for config in ("debug", "release"):
            candidate = ROOT / scratch / config / "HTTPTestServer"
            if candidate.exists():
                return candidate
    subprocess.run(["swift", "build", "--product", "HTTPTestServer"], cwd=ROOT, check=True)
    return ROOT / ".build" / "debug" / "HTTPTestServer"


class RunningServer:
    def __init__(self, *extra_args: str):
        self.static_root = tempfile.mkdtemp(prefix="httpcore-static-")
        with open(os.path.join(self.static_root, "index.html"), "w") as f:
            f.write("<!doctype html><title>t</title><p>static</p>\n")
        with open(os.path.join(self.static_root, "data.json"), "w") as f:
            f.write('{"ok": true}\n')
        self.process = subprocess.Popen(
            [str(server_binary()), "--port", "0", "--root", self.static_root, *extra_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            self.process.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.process.stderr.read()}")
        self.port = int(line.split()[1])

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            for name in os.listdir(self.static_root):
                os.unlink(os.path.join(self.static_root, name))
            os.rmdir(self.static_root)
