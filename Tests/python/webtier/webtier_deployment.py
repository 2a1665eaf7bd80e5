"""Starts the real system for the web-tier Python tests: moto (MOTO_ENDPOINT when scripts/test
started one, else our own on a free loopback port) and the `webtier` command on a free port with
unique queue and bucket names, whose autoscaler launches real `apptier` worker processes."""
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[3]
VENV = pathlib.Path(os.environ.get("ELASTIC_VENV", ROOT / ".venv"))
MODELS = pathlib.Path(os.environ.get("ELASTIC_MODELS_DIR", ROOT / "models"))


def binary_directory() -> pathlib.Path | None:
    """ELASTIC_BIN_DIR, else the newest build directory holding both binaries."""
    if os.environ.get("ELASTIC_BIN_DIR"):
        return pathlib.Path(os.environ["ELASTIC_BIN_DIR"])
    candidates = [path.parent for path in ROOT.glob(".build*/*/debug/webtier")
                  if (path.parent / "apptier").exists()]
    candidates += [path.parent for path in ROOT.glob(".build*/debug/webtier") if (path.parent / "apptier").exists()]
    if not candidates:
        return None
    return max(candidates, key=lambda directory: (directory / "webtier").stat().st_mtime)


def base_environment() -> dict:
    environment = dict(os.environ)
    # Never a real metadata service or real keys: loopback moto only.
    environment.update(AWS_EC2_METADATA_DISABLED="true", AWS_ACCESS_KEY_ID="testing",
                       AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1", NO_PROXY="*")
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Moto:
    def __init__(self):
        self.process = None
        if os.environ.get("MOTO_ENDPOINT"):
            self.endpoint = os.environ["MOTO_ENDPOINT"]
            return
        port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="webtier-moto-", suffix=".log", delete=False)
        self.process = subprocess.Popen([str(VENV / "bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=base_environment())
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("moto did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


class WebTier:
    """`webtier` started with `overrides` (`--set`), stopped with SIGTERM."""

    def __init__(self, moto: Moto, bin_dir: pathlib.Path, overrides: dict | None = None):
        prefix = f"wtpy-{uuid.uuid4().hex[:10]}"
        self.names = {"input": f"{prefix}-in", "output": f"{prefix}-out", "requests": f"{prefix}-req"}
        settings = {
            "queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
            "queues.deadLetterQueue": f"{prefix}-dlq", "storage.inputBucket": f"{prefix}-in",
            "storage.outputBucket": f"{prefix}-out", "queues.longPollSeconds": "1",
            "worker.maxEmptyPollsBeforeShutdown": "1000", "worker.statsIntervalSeconds": "0",
            "scaling.intervalSeconds": "1", "scaling.maxInstances": "2", "scaling.launchCooldownSeconds": "1",
            "model.path": str(MODELS / "efficientnet-lite0.onnx"),
            "model.labelsPath": str(ROOT / "Resources/imagenet-labels.json"), "model.intraOpThreads": "1",
            "fleet.workerExecutable": str(bin_dir / "apptier"),
        }
        settings.update(overrides or {})
        arguments = [str(bin_dir / "webtier"), "--config", str(ROOT / "Config/local.json"),
                     "--endpoint", moto.endpoint, "--port", "0"]
        for key, value in sorted(settings.items()):
            arguments += ["--set", f"{key}={value}"]
        self.log = tempfile.NamedTemporaryFile(prefix="webtier-", suffix=".log", delete=False)
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log, cwd=ROOT,
                                        env=base_environment(), text=True)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"webtier did not start: {line!r}\n{self.output()}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return pathlib.Path(self.log.name).read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def get_json(self, path: str):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)


def needs_system():
    import pytest
    bin_dir = binary_directory()
    reasons = []
    if bin_dir is None:
        reasons.append("webtier/apptier not built (swift build)")
    if not (MODELS / "efficientnet-lite0.onnx").exists():
        reasons.append("no model (scripts/setup)")
    if not (VENV / "bin/moto_server").exists() and not os.environ.get("MOTO_ENDPOINT"):
        reasons.append("no moto")
    return pytest.mark.skipif(bool(reasons), reason="; ".join(reasons))


def chromium_available() -> bool:
    return shutil.which("chromium") is not None and shutil.which("chromedriver") is not None


def chromium(width: int = 1280, height: int = 1000, extra_arguments: tuple = ()):
    """Headless Chromium through the Debian chromedriver, kept off every network but loopback."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--disable-background-networking", "--disable-component-update", *extra_arguments):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
