"""A deliberately minimal WebSocket client on a raw socket, for sending what real clients refuse
to send (unmasked frames, bad opcodes, invalid UTF-8) and for reading frames exactly as sent."""
import base64
import os
import socket
import struct


class RawWebSocket:
    def __init__(self, port: int, path: str = "/ws/echo", extensions: str | None = None, timeout: float = 5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket",
                 "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if extensions:
            lines.append(f"Sec-WebSocket-Extensions: {extensions}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during handshake")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status_line, *header_lines = head.decode().split("\r\n")
        self.headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in header_lines)}
        if " 101 " not in self.status_line + " ":
            raise ConnectionError(f"handshake refused: {self.status_line}")

    @staticmethod
    def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv: int = 0, masked: bool = True,
              mask: bytes = b"\x11\x22\x33\x44") -> bytes:
        first = (0x80 if fin else 0) | (rsv << 4) | opcode
        length = len(payload)
        mask_bit = 0x80 if masked else 0
        if length <= 125:
            header = struct.pack("!BB", first, mask_bit | length)
        elif length <= 0xFFFF:
            header = struct.pack("!BBH", first, mask_bit | 126, length)
        else:
            header = struct.pack("!BBQ", first, mask_bit | 127, length)
        if not masked:
            return header + payload
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return header + mask + body

    def send_frame(self, opcode: int, payload: bytes = b"", **kwargs):
        self.sock.sendall(self.frame(opcode, payload, **kwargs))

    def _read_exact(self, count: int) -> bytes:
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self):
        """(fin, rsv1, opcode, payload) of the next server frame."""
        first, second = self._read_exact(2)
        assert second & 0x80 == 0, "server frames must not be masked"
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        return bool(first & 0x80), bool(first & 0x40), first & 0x0F, self._read_exact(length)

    def read_until_close(self, limit: int = 100000):
        """Reads frames until a close frame; returns (close_code, reason, frames_before). Then
        expects the server to drop TCP."""
        frames = []
        for _ in range(limit):
            fin, rsv1, opcode, payload = self.read_frame()
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return code, payload[2:].decode(), frames
            frames.append((opcode, payload))
        raise AssertionError("no close frame")

    def at_eof(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except (ConnectionResetError, socket.timeout):
            return False

    def close(self):
        self.sock.close()


def close_payload(code: int, reason: str = "") -> bytes:
    return struct.pack("!H", code) + reason.encode()
