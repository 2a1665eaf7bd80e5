"""Hostile and exact frames on a raw socket: what the server answers, byte for byte."""
import http.client
import struct
import time

import pytest

from ws_rawclient import RawWebSocket, close_payload

TEXT, BINARY, CONT, CLOSE, PING, PONG = 0x1, 0x2, 0x0, 0x8, 0x9, 0xA


def expect_close(ws: RawWebSocket, code: int):
    got, reason, _ = ws.read_until_close()
    assert got == code, f"expected close {code}, got {got} ({reason})"
    assert ws.at_eof(), "server should drop TCP after a failing close"
    return reason


def test_unmasked_client_frame_is_closed_with_1002(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(TEXT, b"hello", masked=False)
    assert "masked" in expect_close(ws, 1002)


@pytest.mark.parametrize("rsv", [0b100, 0b010, 0b001])
def test_reserved_bits_without_extension_are_closed_with_1002(ws_server, rsv):
    ws = RawWebSocket(ws_server.port)  # no extension offered
    ws.send_frame(TEXT, b"x", rsv=rsv)
    expect_close(ws, 1002)


@pytest.mark.parametrize("opcode", [0x3, 0x7, 0xB, 0xF])
def test_reserved_opcodes_are_closed_with_1002(ws_server, opcode):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(opcode, b"")
    expect_close(ws, 1002)


def test_invalid_utf8_is_closed_with_1007(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(TEXT, b"ok \xff")
    expect_close(ws, 1007)


def test_invalid_utf8_split_across_fragments_is_closed_with_1007(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(TEXT, b"abc\xe2\x82", fin=False)  # first two bytes of a 3-byte character
    ws.send_frame(CONT, b"\x41", fin=True)  # 'A' is not a continuation byte
    expect_close(ws, 1007)


def test_valid_utf8_split_across_fragments_and_tcp_writes_is_echoed(ws_server):
    ws = RawWebSocket(ws_server.port)
    wire = ws.frame(TEXT, b"a\xe2\x82", fin=False) + ws.frame(CONT, b"\xac\xf0\x9f", fin=False) + ws.frame(CONT, b"\x98\x80")
    for i in range(len(wire)):  # one byte per write
        ws.sock.sendall(wire[i:i + 1])
        time.sleep(0.001)
    assert ws.read_frame() == (True, False, TEXT, "a€😀".encode())


def test_control_frames_between_fragments(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(TEXT, b"Hel", fin=False)
    ws.send_frame(PING, b"mid")
    ws.send_frame(CONT, b"lo", fin=True)
    assert ws.read_frame() == (True, False, PONG, b"mid")
    assert ws.read_frame() == (True, False, TEXT, b"Hello")


@pytest.mark.parametrize("opcode", [PING, CLOSE])
def test_fragmented_control_frame_is_closed_with_1002(ws_server, opcode):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(opcode, b"", fin=False)
    expect_close(ws, 1002)


def test_control_frame_over_125_bytes_is_closed_with_1002(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(PING, b"p" * 126)
    expect_close(ws, 1002)


def test_continuation_without_message_is_closed_with_1002(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(CONT, b"orphan")
    expect_close(ws, 1002)


@pytest.mark.parametrize("code", [999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_invalid_close_codes_are_answered_with_1002(ws_server, code):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(CLOSE, close_payload(code))
    expect_close(ws, 1002)


def test_empty_close_is_answered_with_empty_close(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.send_frame(CLOSE, b"")
    fin, _, opcode, payload = ws.read_frame()
    assert (opcode, payload) == (CLOSE, b"")
    assert ws.at_eof()


def test_length_with_most_significant_bit_is_closed_with_1002(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.sock.sendall(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 1 << 63) + b"\x00\x00\x00\x00")
    expect_close(ws, 1002)


def test_oversize_frame_header_is_refused_before_the_payload(ws_server):
    ws = RawWebSocket(ws_server.port)
    ws.sock.sendall(bytes([0x82, 0x80 | 127]) + struct.pack("!Q", 1 << 40) + b"\x00\x00\x00\x00")
    expect_close(ws, 1009)


@pytest.mark.parametrize("length", [125, 126, 65535, 65536])
def test_length_encodings_round_trip(ws_server, length):
    ws = RawWebSocket(ws_server.port)
    payload = bytes(i % 251 for i in range(length))  # 65536 is exactly the fixture's limit
    ws.send_frame(BINARY, payload)
    fin, rsv1, opcode, echoed = ws.read_frame()
    assert (fin, opcode) == (True, BINARY)
    assert echoed == payload and not rsv1  # no extension offered, so no compression


def test_server_compresses_with_deflate_when_negotiated(ws_server):
    import zlib
    ws = RawWebSocket(ws_server.port, extensions="permessage-deflate; client_max_window_bits")
    assert ws.headers["sec-websocket-extensions"] == "permessage-deflate; server_no_context_takeover"
    text = ("the same words again " * 500).encode()
    ws.send_frame(TEXT, text)  # uncompressed from us: allowed (RSV1 clear)
    fin, rsv1, opcode, payload = ws.read_frame()
    assert rsv1 and opcode == TEXT and len(payload) < len(text) // 10
    assert zlib.decompressobj(-15).decompress(payload + b"\x00\x00\xff\xff") == text


def test_slow_consumer_is_closed_with_1008(ws_server):
    """/ws/flood sends 64 KiB messages; we read nothing, so the 1 MiB queue overflows and the
    server queues a 1008 close instead of buffering without bound."""
    ws = RawWebSocket(ws_server.port, path="/ws/flood", timeout=10)
    time.sleep(1.5)  # do not read; the kernel buffers fill, then the server's queue
    code, reason, frames = ws.read_until_close()
    assert code == 1008 and "slow consumer" in reason
    assert all(opcode == BINARY for opcode, _ in frames)
    assert len(frames) * 65536 < 64 * 1024 * 1024  # bounded: far fewer than it tried to send


def test_silent_peer_is_pinged_then_closed_with_1001(ws_server):
    ws = RawWebSocket(ws_server.port, path="/ws/fastping")
    started = time.monotonic()
    code, reason, frames = ws.read_until_close()
    assert (PING, b"") in frames, "a ping comes first"
    assert code == 1001 and reason == "idle timeout"
    assert 0.5 <= time.monotonic() - started < 5


@pytest.mark.parametrize("headers,status", [
    ({"Sec-WebSocket-Version": "8"}, 426),
    ({"Sec-WebSocket-Key": "dG9vIHNob3J0"}, 400),
    ({"Upgrade": "h2c"}, 400),
    ({"Connection": "keep-alive"}, 400),
])
def test_handshake_refusals(ws_server, headers, status):
    base = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
    base.update(headers)
    connection = http.client.HTTPConnection("127.0.0.1", ws_server.port, timeout=5)
    connection.request("GET", "/ws/echo", headers=base)
    response = connection.getresponse()
    assert response.status == status
    if status == 426:
        assert response.getheader("Sec-WebSocket-Version") == "13"


def test_accept_key_from_rfc_example(ws_server):
    connection = http.client.HTTPConnection("127.0.0.1", ws_server.port, timeout=5)
    connection.request("GET", "/ws/echo", headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    response = connection.getresponse()
    assert response.status == 101
    assert response.getheader("Sec-WebSocket-Accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
