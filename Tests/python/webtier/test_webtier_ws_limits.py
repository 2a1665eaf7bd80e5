"""The web tier's push-only WebSockets (`/ws/fleet`, `/ws?job=`) ignore what the browser sends, so
they accept only small inbound frames: a client announcing a 1 MiB frame gets close 1009 at once,
from the frame header, before it sends (and the server buffers) any of the payload."""
import socket
import struct

import pytest

from webtier_deployment import Moto, WebTier, binary_directory, needs_system

pytestmark = needs_system()


@pytest.fixture(scope="module")
def system():
    moto = Moto()
    web = WebTier(moto, binary_directory())
    yield web
    web.stop()
    moto.stop()


def read_exact(sock: socket.socket, count: int, buffer: bytearray) -> bytes:
    while len(buffer) < count:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed")
        buffer += chunk
    data = bytes(buffer[:count])
    del buffer[:count]
    return data


def test_fleet_socket_refuses_a_large_frame_from_its_header(system):
    sock = socket.create_connection(("127.0.0.1", system.port), timeout=5)
    try:
        sock.sendall((f"GET /ws/fleet HTTP/1.1\r\nHost: 127.0.0.1:{system.port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        buffer = bytearray()
        while b"\r\n\r\n" not in buffer:
            buffer += sock.recv(4096)
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101"), head
        buffer = bytearray(rest)
        # A masked binary frame header announcing 1 MiB; no payload follows.
        sock.sendall(struct.pack("!BBQ", 0x82, 0x80 | 127, 1 << 20) + b"\x11\x22\x33\x44")
        for _ in range(100):  # snapshots may come first
            first, second = read_exact(sock, 2, buffer)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", read_exact(sock, 2, buffer))
            elif length == 127:
                (length,) = struct.unpack("!Q", read_exact(sock, 8, buffer))
            payload = read_exact(sock, length, buffer)
            if first & 0x0F == 0x8:
                assert struct.unpack("!H", payload[:2])[0] == 1009, payload
                return
        raise AssertionError("no close frame")
    finally:
        sock.close()
