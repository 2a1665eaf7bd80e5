"""Attacks on connections: more idle connections from one address than `web.maxConnections`
(a per-address cap keeps the other addresses served), and descriptor exhaustion (the web tier
started with a low RLIMIT_NOFILE, attacked from many addresses: it answers 503 from a reserve
descriptor instead of hanging, and serves again once the attackers leave)."""
import asyncio
import time

from hostile_measure import CaseResult, Measurement
from hostile_net import attacker_address, close_quietly, connect, healthz_status

HOLD_SECONDS = 5.0


async def open_idle(port: int, sources: list[str]) -> list:
    async def one(source):
        try:
            return await connect(port, source, timeout=3)
        except (OSError, asyncio.TimeoutError):
            return None
    return [pair for pair in await asyncio.gather(*(one(source) for source in sources)) if pair]


async def still_open(pairs) -> int:
    """How many of `pairs` the server has not closed."""
    await asyncio.sleep(0.5)
    return sum(1 for reader, _ in pairs if not reader.at_eof())


def idle_connections_one_address(run) -> CaseResult:
    result = CaseResult("idle connections from one address")
    limits = run.limits
    count = max(limits.idle_connections, limits.max_connections + 50)
    loop = asyncio.new_event_loop()
    try:
        with Measurement(run.system, limits, result), run.ledger.uploading(run.system.port, 2, result):
            pairs = loop.run_until_complete(open_idle(run.system.port, ["127.0.0.10"] * count))
            kept = loop.run_until_complete(still_open(pairs))
            time.sleep(HOLD_SECONDS)
            result.notes.append(f"{len(pairs)} of {count} idle connections from 127.0.0.10 connected; "
                                f"the server kept {kept} (web.maxConnections {limits.max_connections})")
            for _, writer in pairs:
                close_quietly(writer)
    finally:
        loop.close()
    return result


def descriptor_exhaustion(run) -> CaseResult:
    result = CaseResult("descriptor exhaustion")
    limits, system = run.limits, run.system
    system.start({"web.maxConnections": str(limits.descriptor_limit * 4)}, max_descriptors=limits.descriptor_limit)
    count = limits.descriptor_limit * 3 // 2
    loop = asyncio.new_event_loop()
    try:
        # Refusing with 503 is the expected answer while the descriptors are gone.
        with Measurement(system, limits, result, answered=(200, 503)):
            pairs = loop.run_until_complete(open_idle(system.port, [attacker_address(i) for i in range(count)]))
            time.sleep(HOLD_SECONDS)
            status = healthz_status(system.port, "127.0.0.6", limits.latency_goal_seconds)
            result.notes.append(f"RLIMIT_NOFILE {limits.descriptor_limit}; {len(pairs)} of {count} attacking "
                                f"connections made; a request meanwhile answered {status or 'nothing'}")
            for _, writer in pairs:
                close_quietly(writer)
            time.sleep(1)
            after = healthz_status(system.port, "127.0.0.6", limits.latency_goal_seconds)
            if after != 200:
                result.failures.append(f"after the attackers left, a request was answered {after or 'nothing'}")
    finally:
        loop.close()
        system.start()
    return result
