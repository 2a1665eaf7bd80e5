"""What every case measures around its attack: the web tier's RSS and open descriptors before,
during (sampled, plus the kernel's own high-water mark) and after, and the latency of a normal
client (its own process, its own source address) served all along. Checks the goals common to
every case: the process lives, RSS stays under the bound, every normal request is answered."""
import collections
import json
import math
import pathlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from hostile_limits import Limits
from hostile_system import HostileSystem, wait_until

NORMAL_CLIENT = pathlib.Path(__file__).with_name("hostile_normal_client.py")


def rss_bytes(pid: int, field_name: str = "VmRSS") -> int:
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descriptor_count(pid: int) -> int:
    try:
        return sum(1 for _ in pathlib.Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return 0


@dataclass
class CaseResult:
    name: str
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    rss: tuple = (0, 0, 0)
    fds: tuple = (0, 0, 0)
    latencies: list = field(default_factory=list)
    unanswered: int = 0
    # Status of each normal request not answered as it should be (0: no answer in time).
    refused_statuses: list = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def p99(self) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)]


class Sampler(threading.Thread):
    """Samples the current web tier (it may be restarted mid-case) every 20 ms."""

    def __init__(self, system: HostileSystem):
        super().__init__(daemon=True)
        self.system = system
        self.stop_event = threading.Event()
        self.peak_rss = 0
        self.peak_fds = 0

    def run(self):
        while not self.stop_event.is_set():
            pid = self.system.web.pid
            self.peak_rss = max(self.peak_rss, rss_bytes(pid), rss_bytes(pid, "VmHWM"))
            self.peak_fds = max(self.peak_fds, descriptor_count(pid))
            self.stop_event.wait(0.02)

    def stop(self):
        self.stop_event.set()
        self.join()


class Measurement:
    """`with Measurement(system, limits, result):` around an attack. `answered` are the statuses
    that count as the normal client being served (a case may accept 503 when refusing is the
    point, as with descriptor exhaustion)."""

    def __init__(self, system: HostileSystem, limits: Limits, result: CaseResult, answered=(200,),
                 descriptor_slack: int = 16):
        self.system, self.limits, self.result = system, limits, result
        self.answered = set(answered)
        self.descriptor_slack = descriptor_slack

    def __enter__(self):
        pid = self.system.web.pid
        # Resets VmHWM to the current RSS, so the kernel's peak is this case's peak.
        pathlib.Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.rss_before, self.fds_before = rss_bytes(pid), descriptor_count(pid)
        self.sampler = Sampler(self.system)
        self.sampler.start()
        self.client = None
        self.resume_client()
        return self

    def resume_client(self):
        """Starts the normal client (again, after `pause_client`, on the current port)."""
        self.client = subprocess.Popen(
            [sys.executable, str(NORMAL_CLIENT), "--port", str(self.system.port),
             "--timeout", str(max(5.0, 3 * self.limits.latency_goal_seconds))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.client.stdout.readline()

    def pause_client(self):
        """Stops the normal client and keeps its samples: a case that restarts the web tier on
        purpose pauses it over the restart."""
        if self.client is None:
            return
        output, _ = self.client.communicate(input="", timeout=60)
        self.client = None
        samples = json.loads(output.strip().splitlines()[-1]) if output.strip() else []
        for seconds, status in samples:
            self.result.latencies.append(seconds)
            if status not in self.answered or seconds > self.limits.latency_goal_seconds:
                self.result.unanswered += 1
                self.result.refused_statuses.append(status)

    def __exit__(self, kind, value, traceback):
        self.pause_client()
        result, web = self.result, self.system.web
        if kind is not None:
            result.failures.append(f"the case raised {kind.__name__}: {value}")
        if not web.alive():
            last_words = [line for line in web.output().splitlines() if "Signal" in line or "Fatal error" in line]
            result.failures.append(f"the web tier died (exit {web.process.returncode}); "
                                   f"{' / '.join(last_words[-2:]) or 'nothing in its log'} (log: {web.log.name})")
        # Descriptors of closed attack connections go back within a few seconds.
        settled = wait_until(lambda: descriptor_count(web.pid) <= self.fds_before + self.descriptor_slack, 15)
        self.sampler.stop()
        result.rss = (self.rss_before, self.sampler.peak_rss, rss_bytes(web.pid))
        result.fds = (self.fds_before, self.sampler.peak_fds, descriptor_count(web.pid))
        if web.alive() and not settled:
            result.failures.append(f"descriptors did not return: {self.fds_before} before, {result.fds[2]} after")
        if self.sampler.peak_rss > self.limits.rss_bound_bytes:
            result.failures.append(f"peak RSS {self.sampler.peak_rss / 2**20:.0f} MB over the bound "
                                   f"{self.limits.rss_bound_bytes / 2**20:.0f} MB")
        if not result.latencies:
            result.failures.append("the normal client made no request")
        elif result.unanswered:
            statuses = dict(collections.Counter(result.refused_statuses))
            result.failures.append(f"{result.unanswered} of {len(result.latencies)} normal requests not answered "
                                   f"{sorted(self.answered)} within {self.limits.latency_goal_seconds:g} s "
                                   f"(statuses {statuses}, 0 = no answer; slowest {max(result.latencies):.2f} s)")
        # A failed attack is the case's failure, recorded above; Ctrl-C still stops the suite.
        return kind is None or issubclass(kind, Exception)
