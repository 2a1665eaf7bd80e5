"""Raw loopback clients for the attacks (asyncio, so hundreds of sockets are cheap): connections
from a chosen 127.0.0.x source address, a response's status line, multipart pieces, and the
WebSocket opening handshake and frames (frames built by the WebSocket tests' raw client)."""
import asyncio
import base64
import http.client
import os
import pathlib
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "ws"))
from ws_rawclient import RawWebSocket  # noqa: E402

frame = RawWebSocket.frame


def attacker_address(index: int, per_address: int = 8, network: int = 2) -> str:
    """A source address for the `index`th attacking connection, `per_address` connections to each
    address (127.0.<network>.1, .2, ...), so that a per-address cap does not hide what the attack
    tests; 127.0.0.1 to .9 stay for the single-address attacker and the normal clients."""
    return f"127.0.{network}.{index // per_address + 1}"


async def connect(port: int, source: str = "127.0.0.1", timeout: float = 10):
    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0)), timeout)


async def read_status(reader: asyncio.StreamReader, timeout: float = 10) -> int | None:
    """The status of the next response, or None when the server closed (or said nothing) first."""
    try:
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (asyncio.TimeoutError, ConnectionError):
        return None
    parts = line.split()
    return int(parts[1]) if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() else None


async def read_response(reader: asyncio.StreamReader, timeout: float = 10) -> tuple[int | None, dict, bytes]:
    """Status, headers (lowercase names) and a Content-Length body of the next response."""
    status = await read_status(reader, timeout)
    headers = {}
    if status is None:
        return None, headers, b""
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = b""
    if headers.get("content-length", "").isdigit():
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), timeout)
    return status, headers, body


async def closed_by_server(reader: asyncio.StreamReader, timeout: float) -> bool:
    """Reads and discards until the server closes (True) or `timeout` passes (False)."""
    try:
        async with asyncio.timeout(timeout):
            while await reader.read(65536):
                pass
        return True
    except ConnectionError:
        return True
    except TimeoutError:
        return False


def close_quietly(writer: asyncio.StreamWriter):
    try:
        writer.transport.abort()
    except Exception:  # already gone
        pass


def multipart_part(boundary: str, file_name: str, content: bytes, content_type: str = "image/jpeg") -> bytes:
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\n"
            f"Content-Type: {content_type}\r\n\r\n").encode() + content + b"\r\n"


def multipart_end(boundary: str) -> bytes:
    return f"--{boundary}--\r\n".encode()


def upload_head(port: int, boundary: str, length: int, path: str = "/api/jobs") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\n\r\n").encode()


def jpeg_like(size: int) -> bytes:
    """Bytes that pass the intake's JPEG signature check (SOI, APP0) and are noise after."""
    prefix = bytes([0xFF, 0xD8, 0xFF, 0xE0])
    return prefix + os.urandom(max(0, size - len(prefix)))


async def websocket(port: int, path: str, source: str = "127.0.0.1", timeout: float = 10):
    """Opens a WebSocket (no Origin: not a browser page); returns (reader, writer) after the 101."""
    reader, writer = await connect(port, source, timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    if b" 101 " not in head.split(b"\r\n", 1)[0] + b" ":
        close_quietly(writer)
        status_line = head.split(b"\r\n", 1)[0]
        raise ConnectionError(f"handshake refused: {status_line!r}")
    return reader, writer


async def read_close_code(reader: asyncio.StreamReader, timeout: float) -> int | None:
    """Skips server frames until a close frame; its code, or None if the connection ended (or
    `timeout` passed) without one."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                first, second = await reader.readexactly(2)
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await reader.readexactly(8))
                payload = await reader.readexactly(length)
                if first & 0x0F == 0x8:
                    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        return None


def healthz_status(port: int, source: str, timeout: float = 10) -> int:
    """A normal `GET /healthz` on a fresh connection (blocking); its status, 0 for no answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()
