"""The system under attack: moto and the real `webtier` (its local fleet starting real `apptier`
workers when a case needs them) on loopback, restartable with other settings (a low descriptor
limit, a kill -9 in the middle). Reuses the web-tier tests' moto and environment helpers."""
import os
import pathlib
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "webtier"))
from webtier_deployment import ROOT, MODELS, Moto, WebTier, base_environment  # noqa: E402


class WebTierProcess(WebTier):
    """One `webtier` process (stopped and logged like the web-tier tests' `WebTier`). `settings` become `--set key=value`; `spool_directory` is its
    TMPDIR (where upload parts wait on disk), private so that leftover files can be counted;
    `max_descriptors` lowers RLIMIT_NOFILE before exec."""

    def __init__(self, bin_dir: pathlib.Path, endpoint: str, settings: dict, spool_directory: pathlib.Path,
                 max_descriptors: int | None = None):
        arguments = [str(bin_dir / "webtier"), "--config", str(ROOT / "Config/local.json"),
                     "--endpoint", endpoint, "--port", "0"]
        for key, value in sorted(settings.items()):
            arguments += ["--set", f"{key}={value}"]
        environment = base_environment()
        environment["TMPDIR"] = str(spool_directory)

        def lower_descriptor_limit():
            if max_descriptors is not None:
                resource.setrlimit(resource.RLIMIT_NOFILE, (max_descriptors, max_descriptors))

        self.log = tempfile.NamedTemporaryFile(prefix="hostile-webtier-", suffix=".log", delete=False)
        self.process = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=self.log, cwd=ROOT,
                                        env=environment, text=True, preexec_fn=lower_descriptor_limit)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING "):
            self.stop()
            raise RuntimeError(f"webtier did not start: {line!r}\n{self.output()[-4000:]}")
        self.port = int(line.split()[1])
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def workers(self) -> list[int]:
        """`apptier` processes whose parent is this web tier."""
        pids = []
        for entry in pathlib.Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes().split(b"\0")[0]
            except OSError:
                continue
            if int(fields[1]) == self.pid and command.endswith(b"apptier") and fields[0] != "Z":
                pids.append(int(entry.name))
        return pids

    def kill9(self):
        """SIGKILL, as a crash would; its workers are orphaned, so they are killed here too."""
        workers = self.workers()
        self.process.kill()
        self.process.wait()
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class HostileSystem:
    """moto plus the web tier with unique queue and bucket names; `start` (re)starts the web tier
    with the suite's settings and any extra ones, on the same queues and buckets."""

    def __init__(self, bin_dir: pathlib.Path, settings: dict, known_keys: set):
        self.bin_dir = bin_dir
        self.moto = Moto()
        prefix = f"hostile-{uuid.uuid4().hex[:10]}"
        # The web tier's TMPDIR, private so that what it leaves behind can be counted.
        self.spool_directory = pathlib.Path(tempfile.mkdtemp(prefix="hostile-spool-"))
        # A build with `web.spoolDirectory` spools into a directory of its own; without it, parts
        # go to TMPDIR beside the local fleet's worker logs.
        self.dedicated_spool = "web.spoolDirectory" in known_keys
        self.settings = {
            "queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
            "queues.deadLetterQueue": f"{prefix}-dlq", "storage.inputBucket": f"{prefix}-in",
            "storage.outputBucket": f"{prefix}-out", "queues.longPollSeconds": "1",
            "worker.maxEmptyPollsBeforeShutdown": "1000", "worker.statsIntervalSeconds": "0",
            "scaling.intervalSeconds": "1", "scaling.launchCooldownSeconds": "1",
            "scaling.minInstances": "0", "scaling.maxInstances": "1",
            "model.path": str(MODELS / "efficientnet-lite0.onnx"),
            "model.labelsPath": str(ROOT / "Resources/imagenet-labels.json"), "model.intraOpThreads": "1",
            "fleet.workerExecutable": str(bin_dir / "apptier"),
        }
        if self.dedicated_spool:
            self.settings["web.spoolDirectory"] = str(self.spool_directory / "spool")
        self.settings.update(settings)
        self.web: WebTierProcess | None = None

    def start(self, extra: dict | None = None, max_descriptors: int | None = None) -> WebTierProcess:
        if self.web is not None and self.web.alive():
            self.web.stop()
        settings = dict(self.settings)
        settings.update(extra or {})
        self.web = WebTierProcess(self.bin_dir, self.moto.endpoint, settings, self.spool_directory, max_descriptors)
        return self.web

    @property
    def port(self) -> int:
        return self.web.port

    def spool_files(self) -> list[pathlib.Path]:
        """Upload parts waiting on disk: every file in the dedicated spool directory, else the
        `multipart-XXXXXX` files (mkstemp's names) in TMPDIR, not the workers' logs beside them."""
        if self.dedicated_spool:
            # Not the lock file by which a running web tier owns its subdirectory.
            return [path for path in (self.spool_directory / "spool").rglob("*")
                    if path.is_file() and not path.name.startswith(".")]
        return [path for path in self.spool_directory.rglob("multipart-*") if path.is_file()]

    def close(self):
        try:
            if self.web is not None:
                self.web.stop()
        finally:
            self.moto.stop()
            for path in sorted(self.spool_directory.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            self.spool_directory.rmdir()


def wait_until(condition, timeout: float, interval: float = 0.1):
    """Polls `condition` until it returns something truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
