"""Attacks on the upload intake: many small parts stalled before the closing boundary (small parts
must count against `web.intakeMemoryBytes` like large ones), bodies dripped a byte a second (a
total body-read deadline must cut them), and the spool filled on disk, then kill -9 and a
restart (a full spool is answered 503 + Retry-After; the restart leaves no spool file behind)."""
import asyncio
import os
import time

from hostile_measure import CaseResult, Measurement
from hostile_net import (attacker_address, close_quietly, closed_by_server, connect, jpeg_like, multipart_end,
                         multipart_part, read_response, upload_head)
from hostile_system import wait_until

# How long past its deadline the server may take to cut a connection (timers tick coarsely).
DEADLINE_MARGIN_SECONDS = 10.0
# What a dripping upload announces: small, so its deadline is mostly the grace period.
DRIP_BODY_BYTES = 64 << 10


async def stalled_upload(port: int, source: str, parts: list[bytes], boundary: str, wait: float) -> float | None:
    """Sends every part but not the closing boundary; seconds until the server closed, or None."""
    body = b"".join(parts)
    reader, writer = await connect(port, source)
    started = time.monotonic()
    try:
        writer.write(upload_head(port, boundary, len(body) + len(multipart_end(boundary))))
        writer.write(body)
        await asyncio.wait_for(writer.drain(), wait)
        return time.monotonic() - started if await closed_by_server(reader, wait) else None
    except (ConnectionError, asyncio.TimeoutError):
        return time.monotonic() - started
    finally:
        close_quietly(writer)


def cut_summary(cut: list) -> str:
    seconds = [value for value in cut if value is not None]
    return f"{len(seconds)} cut by the server, the last after {max(seconds):.0f} s" if seconds else "none cut by the server"


def parts_per_connection(limits, connections: int) -> int:
    # Together the stalled parts are twice the RSS bound: held in memory, they break it.
    return max(1, 2 * limits.rss_bound_bytes // (connections * limits.multipart_part_bytes))


def many_small_parts_stalled(run) -> CaseResult:
    result = CaseResult("many small multipart parts, stalled")
    limits = run.limits
    connections = limits.multipart_connections
    count = parts_per_connection(limits, connections)
    part_length = len(multipart_part("stall" + "0" * 12, "small-000-000.jpg", b"")) + limits.multipart_part_bytes
    wait = limits.body_deadline_seconds(count * part_length) + DEADLINE_MARGIN_SECONDS

    async def attack():
        boundary = "stall" + os.urandom(6).hex()
        uploads = []
        for index in range(connections):
            parts = [multipart_part(boundary, f"small-{index}-{part}.jpg", jpeg_like(limits.multipart_part_bytes))
                     for part in range(count)]
            uploads.append(stalled_upload(run.system.port, attacker_address(index), parts, boundary, wait))
        return await asyncio.gather(*uploads)

    with Measurement(run.system, limits, result), run.ledger.uploading(run.system.port, 2, result):
        cut = asyncio.run(attack())
    held = [seconds for seconds in cut if seconds is None]
    result.notes.append(f"{connections} connections x {count} parts of {limits.multipart_part_bytes >> 10} KiB "
                        f"({connections * count * limits.multipart_part_bytes / 2**20:.0f} MB); {cut_summary(cut)}")
    if held:
        result.failures.append(f"{len(held)} stalled uploads still open after {wait:.0f} s")
    return result


async def dripped_upload(port: int, source: str, length: int, wait: float) -> float | None:
    """Announces a body of `length` bytes and sends one byte a second; seconds until the server
    cut it, or None."""
    reader, writer = await connect(port, source)
    writer.write(upload_head(port, "drip" + os.urandom(6).hex(), length))

    async def drip():
        try:
            while True:
                writer.write(b"-")
                await writer.drain()
                await asyncio.sleep(1)
        except ConnectionError:
            pass

    dripper = asyncio.create_task(drip())
    started = time.monotonic()
    try:
        return time.monotonic() - started if await closed_by_server(reader, wait) else None
    finally:
        dripper.cancel()
        close_quietly(writer)


def body_drip(run) -> CaseResult:
    result = CaseResult("body drip, a byte a second")
    limits = run.limits
    deadline = limits.body_deadline_seconds(DRIP_BODY_BYTES)
    wait = deadline + DEADLINE_MARGIN_SECONDS

    async def attack():
        return await asyncio.gather(*(dripped_upload(run.system.port, attacker_address(index), DRIP_BODY_BYTES, wait)
                                      for index in range(limits.drip_connections)))

    with Measurement(run.system, limits, result):
        cut = asyncio.run(attack())
    held = [seconds for seconds in cut if seconds is None]
    result.notes.append(f"{limits.drip_connections} dripping uploads; {cut_summary(cut)}")
    if held:
        result.failures.append(f"{len(held)} of {len(cut)} dripping uploads still open after {wait:.0f} s "
                               f"(the body-read deadline for {DRIP_BODY_BYTES >> 10} KiB is {deadline:.0f} s)")
    return result


def spool_bytes(system) -> int:
    return sum(path.stat().st_size for path in system.spool_files() if path.exists())


async def fill_spool(port: int, limits, connections: int, file_bytes: int):
    """Opens `connections` uploads of one large file each, sent whole but for the closing
    boundary, and keeps them open; returns their writers."""
    writers = []
    for index in range(connections):
        boundary = "spool" + os.urandom(6).hex()
        part = multipart_part(boundary, f"large-{index}.jpg", jpeg_like(file_bytes))
        reader, writer = await connect(port, attacker_address(index, per_address=4, network=3))
        writer.write(upload_head(port, boundary, len(part) + len(multipart_end(boundary))) + part)
        writers.append((reader, writer))
    for _, writer in writers:
        try:
            await asyncio.wait_for(writer.drain(), 30)
        except (ConnectionError, asyncio.TimeoutError):
            pass  # refused or not read: the spool is what is looked at
    return writers


async def probe_upload(port: int, size: int) -> tuple[int | None, dict]:
    """One more upload of a `size`-byte file, sent while its answer is awaited (a server refusing
    it may answer before the body is in); the status and headers."""
    boundary = "probe" + os.urandom(6).hex()
    body = multipart_part(boundary, "probe.jpg", jpeg_like(size)) + multipart_end(boundary)
    reader, writer = await connect(port, "127.0.0.5")
    answer = asyncio.create_task(read_response(reader, 60))
    try:
        writer.write(upload_head(port, boundary, len(body)))
        for offset in range(0, len(body), 64 << 10):
            # Paced, so that an answer given early is read before the rest of the body goes out
            # (a server closing on unread bytes resets the connection, and the answer with it).
            await asyncio.wait([answer], timeout=0.02)
            if answer.done():
                break
            writer.write(body[offset:offset + (64 << 10)])
            await writer.drain()
    except ConnectionError:
        pass  # answered and closed before the whole body was in
    try:
        status, headers, _ = await answer
        return status, headers
    finally:
        close_quietly(writer)


def spool_fill_kill_restart(run) -> CaseResult:
    result = CaseResult("spool disk fill, kill -9, restart")
    limits, system = run.limits, run.system
    if system.spool_files():
        result.failures.append(f"spool files before the case: {system.spool_files()[:5]}")
    file_bytes = 8 << 20
    # Enough that the memory budget is spent and the spool passes its limit by half again.
    connections = (limits.intake_memory_bytes + limits.spool_limit_bytes * 3 // 2) // file_bytes + 1
    with Measurement(system, limits, result) as measurement:
        # Accepted just before the crash: their results must survive it (checked by nothing-lost).
        run.ledger.upload_photos(system.port, 2, result)
        loop = asyncio.new_event_loop()
        try:
            writers = loop.run_until_complete(fill_spool(system.port, limits, connections, file_bytes))
            # Filled when the spool stops growing.
            previous = -1
            while (current := spool_bytes(system)) != previous:
                previous = current
                time.sleep(1)
            # Larger than the memory budget, so it can only wait on disk, where there is no room.
            status, headers = loop.run_until_complete(probe_upload(system.port, limits.intake_memory_bytes + (1 << 20)))
            result.notes.append(f"{connections} uploads of {file_bytes >> 20} MB stalled; spool {previous / 2**20:.0f} MB "
                                f"in {len(system.spool_files())} files; one more upload answered {status}")
            if status != 503 or "retry-after" not in headers:
                result.failures.append(f"an upload past the spool limit ({limits.spool_limit_bytes >> 20} MB) was "
                                       f"answered {status} {'with' if 'retry-after' in headers else 'without'} "
                                       "Retry-After, not 503 with Retry-After")
            leftovers_before = len(system.spool_files())
            measurement.pause_client()
            system.web.kill9()
            for _, writer in writers:
                close_quietly(writer)
        finally:
            loop.close()
        if leftovers_before == 0:
            result.failures.append("nothing was spooled before the kill: the restart proves nothing")
        system.start()
        measurement.resume_client()
        wait_until(lambda: not system.spool_files(), 10)
        if leftovers := system.spool_files():
            result.failures.append(f"{len(leftovers)} spool files left after the restart "
                                   f"({leftovers_before} before the kill)")
    return result
