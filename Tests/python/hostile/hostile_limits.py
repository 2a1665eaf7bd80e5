"""The suite's parameters: the limits it configures the web tier with and the goals it asserts,
with the sizes of the attacks. Every bound a case checks is computed from these, never a copy of
a constant from the Swift code; `--set` on scripts/hostile passes the web tier anything more."""
import re
import subprocess
from dataclasses import dataclass, field

# Limits the fixes of issue #11 add, by the configuration key each may go by: the suite sets the
# first key the web tier knows, and says so when it knows none (the case then runs against the
# server's default and the suite's value is only how long it waits).
KNOB_KEYS = {
    "body_deadline_seconds": ["web.bodyReadDeadlineSeconds", "web.requestBodyDeadlineSeconds",
                              "web.bodyDeadlineSeconds", "web.bodyReadTimeoutSeconds"],
    "spool_limit_bytes": ["web.spoolMaxBytes", "web.maxSpoolBytes", "web.spoolLimitBytes",
                          "web.spoolCapacityBytes", "web.intakeSpoolBytes", "web.maxSpooledBytes"],
}


@dataclass
class Limits:
    # Passed to the web tier (`--set web.intakeMemoryBytes=...`), so the bound below is the one it runs with.
    intake_memory_bytes: int = 16 << 20
    # The RSS goal is 2 x intake memory plus this allowance for the process itself.
    rss_allowance_bytes: int = 64 << 20
    # Every request of the normal client is answered within this many seconds, during every attack.
    latency_goal_seconds: float = 1.0
    # `web.maxConnections`: the idle-connection attack opens more than this from one address.
    max_connections: int = 400
    # RLIMIT_NOFILE of the web tier in the descriptor-exhaustion case.
    descriptor_limit: int = 256
    # How long the server may take to cut a body that drips or stalls (its total body-read
    # deadline, or idle timeout); the drip and stall cases wait this long plus a margin.
    body_deadline_seconds: float = 30.0
    # Bytes of upload parts waiting on disk at once; past it an upload is answered 503 + Retry-After.
    spool_limit_bytes: int = 64 << 20
    # Attack sizes (the numbers; --quick shrinks them).
    websocket_sockets: int = 200
    ping_flood_seconds: float = 10.0
    multipart_connections: int = 100
    multipart_part_bytes: int = 60 << 10
    idle_connections: int = 500
    drip_connections: int = 50
    malformed_repeats: int = 3
    # Extra web-tier settings (`--set key=value` on scripts/hostile).
    extra_settings: dict = field(default_factory=dict)

    @property
    def rss_bound_bytes(self) -> int:
        return 2 * self.intake_memory_bytes + self.rss_allowance_bytes

    def web_settings(self, known_keys: set) -> tuple[dict, list]:
        """The `--set` settings, and the knobs this build has no key for."""
        settings = {"web.intakeMemoryBytes": str(self.intake_memory_bytes),
                    "web.maxConnections": str(self.max_connections)}
        missing = []
        for knob, candidates in KNOB_KEYS.items():
            key = next((key for key in candidates if key in known_keys), None)
            if key is None:
                missing.append(knob)
            else:
                value = getattr(self, knob)
                settings[key] = str(int(value) if float(value).is_integer() else value)
        settings.update(self.extra_settings)
        return settings, missing

    @classmethod
    def quick(cls) -> "Limits":
        """The small version for ./scripts/test: fewer sockets, shorter waits, a smaller intake
        budget (so that a few tens of megabytes are enough to break the bound when it is not kept)."""
        return cls(intake_memory_bytes=4 << 20, latency_goal_seconds=5.0, max_connections=120,
                   descriptor_limit=160, body_deadline_seconds=10.0, spool_limit_bytes=16 << 20, websocket_sockets=40,
                   ping_flood_seconds=4.0, multipart_connections=30, idle_connections=150,
                   drip_connections=10, malformed_repeats=1)


def known_web_keys(webtier: str, config: str) -> set:
    """The `web.*` keys this webtier build knows: an unknown key's error lists them."""
    probe = subprocess.run([webtier, "--config", config, "--set", "web.hostileProbeUnknownKey=0"],
                           capture_output=True, text=True, timeout=60)
    found = re.search(r"known keys here: ([^\n]*)", probe.stdout + probe.stderr)
    if not found:
        raise RuntimeError(f"could not list the web keys: {probe.stderr[-2000:]}")
    return {f"web.{name.strip()}" for name in found.group(1).split(",")}
