"""The suite's parameters: the limits it configures the web tier with and the goals it asserts,
with the sizes of the attacks. Every bound a case checks is computed from these, never a copy of
a constant from the Swift code; `--set` on scripts/hostile passes the web tier anything more."""
import re
import subprocess
from dataclasses import dataclass, field

# The web tier's limits against hostile clients, by the configuration key of each: the suite
# sets those the web tier knows and names the others in its header (their cases then run against
# the server's defaults, and fail if the server has none).
KNOB_KEYS = {
    "max_connections_per_address": "web.maxConnectionsPerAddress",
    "body_grace_seconds": "web.bodyReadGraceSeconds",
    "body_minimum_bytes_per_second": "web.bodyMinimumBytesPerSecond",
    "spool_limit_bytes": "web.spoolDiskBytes",
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
    # Connections one address may hold; the attacks spread over addresses stay under it.
    max_connections_per_address: int = 64
    # RLIMIT_NOFILE of the web tier in the descriptor-exhaustion case.
    descriptor_limit: int = 256
    # Descriptors left beside web.maxConnections in that case (listeners, epoll, AWS clients, logs).
    descriptor_headroom: int = 64
    # A request body must arrive within the grace period plus its length at the minimum rate
    # (the total body-read deadline); the drip and stall cases wait that long plus a margin.
    body_grace_seconds: float = 30.0
    body_minimum_bytes_per_second: int = 1 << 20
    # Bytes of upload parts waiting on disk at once; past it an upload is answered 503 + Retry-After.
    spool_limit_bytes: int = 64 << 20
    # Attack sizes (--quick shrinks them).
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

    def body_deadline_seconds(self, length: int) -> float:
        """How long the server may take to read a body of `length` bytes before it cuts it."""
        return self.body_grace_seconds + length / self.body_minimum_bytes_per_second

    def web_settings(self, known_keys: set) -> tuple[dict, list]:
        """The `--set` settings, and the knobs this build has no key for."""
        settings = {"web.intakeMemoryBytes": str(self.intake_memory_bytes),
                    "web.maxConnections": str(self.max_connections)}
        missing = []
        for knob, key in KNOB_KEYS.items():
            if key not in known_keys:
                missing.append(key)
                continue
            value = getattr(self, knob)
            settings[key] = str(int(value) if float(value).is_integer() else value)
        settings.update(self.extra_settings)
        return settings, missing

    @classmethod
    def quick(cls) -> "Limits":
        """The small version for ./scripts/test: fewer sockets, shorter waits, a smaller intake
        budget (so that a few tens of megabytes are enough to break the bound when it is not kept)."""
        return cls(intake_memory_bytes=4 << 20, latency_goal_seconds=5.0, max_connections=120,
                   descriptor_limit=160, body_grace_seconds=8.0, spool_limit_bytes=16 << 20, websocket_sockets=40,
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
