"""Attacks on connections: more idle connections from one address than `web.maxConnections`
(a per-address cap keeps the other addresses served), and descriptor exhaustion (the web tier
started with a low RLIMIT_NOFILE, attacked from many addresses: it answers 503 from a reserve
descriptor instead of hanging, and serves again once the attackers leave)."""
import asyncio
import time

from hostile_measure import CaseResult, Measurement
from hostile_net import attacker_address, close_quietly, connect, healthz_status
from hostile_system import wait_until

HOLD_SECONDS = 5.0
RECOVERY_SECONDS = 10.0


async def open_idle(port: int, sources: list[str]) -> list:
    async def one(source):
        try:
            return await connect(port, source, timeout=3)
        except (OSError, asyncio.TimeoutError):
            return None
    return [pair for pair in await asyncio.gather(*(one(source) for source in sources)) if pair]


async def still_open(pairs) -> int:
    """How many of `pairs` the server has neither answered nor closed."""
    async def silent(reader) -> bool:
        try:
            await asyncio.wait_for(reader.read(1), 0.5)
            return False
        except asyncio.TimeoutError:
            return True
        except ConnectionError:
            return False
    return sum(await asyncio.gather(*(silent(reader) for reader, _ in pairs)))


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
            if kept > limits.max_connections_per_address:
                result.failures.append(f"the server kept {kept} idle connections from one address, more than "
                                       f"{limits.max_connections_per_address} (web.maxConnectionsPerAddress)")
            for _, writer in pairs:
                close_quietly(writer)
    finally:
        loop.close()
    return result


def descriptor_exhaustion(run) -> CaseResult:
    result = CaseResult("descriptor exhaustion")
    limits, system = run.limits, run.system
    # The web tier refuses to start with a connection cap its descriptor limit cannot hold, so the
    # cap leaves it headroom; the attack asks for half as many connections again as descriptors.
    connection_cap = limits.descriptor_limit - limits.descriptor_headroom
    try:
        system.start({"web.maxConnections": str(connection_cap)}, max_descriptors=limits.descriptor_limit)
    except RuntimeError as error:
        result.failures.append(f"the web tier did not start with RLIMIT_NOFILE {limits.descriptor_limit} and "
                               f"web.maxConnections {connection_cap}: {str(error)[-300:]}")
        system.start()
        return result
    count = limits.descriptor_limit * 3 // 2
    loop = asyncio.new_event_loop()
    try:
        # Refusing with 503 is the expected answer while the descriptors are gone.
        with Measurement(system, limits, result, answered=(200, 503)):
            pairs = loop.run_until_complete(open_idle(system.port, [attacker_address(i) for i in range(count)]))
            time.sleep(HOLD_SECONDS)
            status = healthz_status(system.port, "127.0.0.6", limits.latency_goal_seconds)
            result.notes.append(f"RLIMIT_NOFILE {limits.descriptor_limit}, web.maxConnections {connection_cap}; "
                                f"{len(pairs)} of {count} attacking "
                                f"connections made; a request meanwhile answered {status or 'nothing'}")
            for _, writer in pairs:
                close_quietly(writer)
            # The server sees the attackers leave as it reads their EOFs (and accepts and closes
            # what waited in its backlog): served again within RECOVERY_SECONDS.
            started = time.monotonic()
            served = wait_until(lambda: healthz_status(system.port, "127.0.0.6", limits.latency_goal_seconds) == 200,
                                RECOVERY_SECONDS, interval=0.2)
            if not served:
                result.failures.append(f"not served again within {RECOVERY_SECONDS:g} s of the attackers leaving")
            else:
                result.notes.append(f"served again {time.monotonic() - started:.1f} s after the attackers left")
    finally:
        loop.close()
        system.start()
    return result
