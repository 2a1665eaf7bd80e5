"""WebSocket attacks: pings sent as fast as loopback takes them by clients that never read (each
ping owes a pong, which must not pile up in the server), and frames larger than the routes take
(closed with 1009 before they are buffered) on many sockets at once, on /ws and /ws/fleet."""
import asyncio
import collections
import os
import struct
import time

from hostile_measure import CaseResult, Measurement
from hostile_net import attacker_address, close_quietly, frame, read_close_code, websocket

MESSAGE_TOO_BIG = 1009


async def flood_pings(port: int, sockets: int, seconds: float) -> tuple[int, int]:
    """Bytes of pings sent, and how many of the flooding sockets the server closed."""
    connections = [await websocket(port, "/ws/fleet") for _ in range(sockets)]
    batch = b"".join(frame(0x9, os.urandom(125)) for _ in range(512))
    deadline = time.monotonic() + seconds

    async def flood(writer) -> tuple[int, bool]:
        sent = 0
        while (left := deadline - time.monotonic()) > 0:
            try:
                writer.write(batch)
                await asyncio.wait_for(writer.drain(), left)
            except (asyncio.TimeoutError, TimeoutError):
                break
            except ConnectionError:
                return sent, True
            sent += len(batch)
        return sent, False

    outcomes = await asyncio.gather(*(flood(writer) for _, writer in connections))
    closed = sum(1 for _, was_closed in outcomes if was_closed)
    for reader, writer in connections:
        close_quietly(writer)
    return sum(sent for sent, _ in outcomes), closed


def ping_flood(run) -> CaseResult:
    result = CaseResult("websocket ping flood, not reading")
    sockets = max(4, run.limits.websocket_sockets // 20)
    with Measurement(run.system, run.limits, result), run.ledger.uploading(run.system.port, 2, result):
        sent, closed = asyncio.run(flood_pings(run.system.port, sockets, run.limits.ping_flood_seconds))
        result.notes.append(f"{sockets} sockets sent {sent / 2**20:.0f} MB of pings; server closed {closed}")
    return result


def oversized_frame_header(length: int) -> bytes:
    # Masked with a zero key: the payload goes out as is, no per-byte masking in Python.
    return struct.pack("!BBQ", 0x82, 0x80 | 127, length) + b"\0\0\0\0"


async def send_oversized(port: int, path: str, source: str, length: int, chunk: bytes) -> int | str | None:
    """The close code the server answered a frame of `length` bytes with (None: none; a string:
    the socket did not open)."""
    try:
        reader, writer = await websocket(port, path, source)
    except (ConnectionError, OSError, asyncio.TimeoutError) as error:
        return f"no handshake: {error}"
    try:
        writer.write(oversized_frame_header(length))
        sent = 0
        while sent < length:
            writer.write(chunk[:length - sent])
            await asyncio.wait_for(writer.drain(), 30)
            sent += len(chunk)
    except (ConnectionError, asyncio.TimeoutError):
        pass  # the server stopped reading or closed: its close frame says why
    code = await read_close_code(reader, 15)
    close_quietly(writer)
    return code


async def oversized_frames_on(port: int, paths: list[str], length: int) -> collections.Counter:
    chunk = os.urandom(64 << 10)
    codes = await asyncio.gather(*(send_oversized(port, path, attacker_address(index), length, chunk)
                                   for index, path in enumerate(paths)))
    return collections.Counter(codes)


def oversized_frames(run) -> CaseResult:
    result = CaseResult("websocket oversized inbound frames")
    limits = run.limits
    sockets = limits.websocket_sockets
    # Large enough that buffering them all would break the RSS bound twice over.
    length = max(1 << 20, 2 * limits.rss_bound_bytes // sockets)
    job = run.ledger.any_job_id()
    paths = ["/ws/fleet" if index % 2 == 0 or job is None else f"/ws?job={job}" for index in range(sockets)]
    with Measurement(run.system, limits, result):
        codes = asyncio.run(oversized_frames_on(run.system.port, paths, length))
        result.notes.append(f"{sockets} sockets, frames of {length / 2**20:.1f} MB; close codes {dict(codes)}")
        if codes[MESSAGE_TOO_BIG] != sockets:
            result.failures.append(f"{sockets - codes[MESSAGE_TOO_BIG]} of {sockets} sockets were not closed "
                                   f"with 1009 (close codes: {dict(codes)})")
    return result
