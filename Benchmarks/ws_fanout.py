#!/usr/bin/env python3
"""WebSocket fan-out benchmark: one broadcast delivered to N connections; p50/p99 delivery latency.

Starts WSTestServer (release build), opens N member connections to /ws/fanout and one control
connection to /ws/fanout-control. Each round the control connection sends a ~350-byte JSON text;
the server's WSHub encodes it once (and compresses it once when members negotiated
permessage-deflate) and queues the same frame on every member. Latency runs from just before
the control send to each member's receipt, both stamped in this process (monotonic clock).
Rounds run one after another.

The client is a single epoll loop over raw sockets (no asyncio, no websockets library): its
per-frame cost is one recv and a header parse, so the figures are mostly the server's. It still
shares the machine's cores with the server, and the last of N receipts waits for the N-1 before it.
"""
import argparse
import base64
import json
import os
import resource
import select
import socket
import statistics
import struct
import subprocess
import sys
import time
import zlib


def masked_frame(opcode: int, payload: bytes) -> bytes:
    mask = os.urandom(4)
    length = len(payload)
    header = (struct.pack("!BB", 0x80 | opcode, 0x80 | length) if length <= 125
              else struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length))
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def parse_frames(buffer: bytearray):
    """Yields (opcode, rsv1, payload) for each complete frame and removes it from the buffer."""
    while len(buffer) >= 2:
        first, second = buffer[0], buffer[1]
        length, offset = second & 0x7F, 2
        if length == 126:
            if len(buffer) < 4:
                return
            length, offset = struct.unpack_from("!H", buffer, 2)[0], 4
        elif length == 127:
            if len(buffer) < 10:
                return
            length, offset = struct.unpack_from("!Q", buffer, 2)[0], 10
        if len(buffer) < offset + length:
            return
        payload = bytes(buffer[offset:offset + length])
        del buffer[:offset + length]
        yield first & 0x0F, bool(first & 0x40), payload


class Connection:
    def __init__(self, port: int, path: str, deflate: bool):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if deflate:
            request += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        self.sock.sendall((request + "\r\n").encode())
        self.buffer = bytearray()
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError(f"{path}: closed during handshake")
            self.buffer += chunk
        end = self.buffer.find(b"\r\n\r\n")
        head = bytes(self.buffer[:end]).decode()
        del self.buffer[:end + 4]
        if not head.startswith("HTTP/1.1 101"):
            raise ConnectionError(f"{path}: {head.splitlines()[0]}")
        self.deflate = "permessage-deflate" in head.lower()
        self.inflater = zlib.decompressobj(-15)

    def read_text_blocking(self) -> bytes:
        while True:
            for opcode, rsv1, payload in parse_frames(self.buffer):
                if opcode == 0x1:
                    return self.inflate(payload) if rsv1 else payload
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buffer += chunk

    def inflate(self, payload: bytes) -> bytes:
        return self.inflater.decompress(payload + b"\x00\x00\xff\xff")


def run_rows(port: int, connections: int, rounds: int, deflate: bool):
    members = []
    for _ in range(connections):
        member = Connection(port, "/ws/fanout", deflate)
        if member.read_text_blocking() != b"joined":
            raise AssertionError("expected 'joined'")
        member.sock.setblocking(False)
        members.append(member)
    control = Connection(port, "/ws/fanout-control", False)
    control.sock.setblocking(False)
    by_fd = {m.sock.fileno(): m for m in members}
    poller = select.epoll()
    for fd in by_fd:
        poller.register(fd, select.EPOLLIN)
    poller.register(control.sock.fileno(), select.EPOLLIN)

    body = {"v": 1, "jobId": "job-0001", "imageId": "img-0001", "fileName": "test_00.JPEG",
            "label": "golden retriever", "top5": [{"label": f"class {i}", "score": 0.1} for i in range(5)],
            "model": "efficientnet-lite0", "worker": "local-1", "inferenceMs": 12.5}
    latencies, hub_micros = [], []
    started = time.monotonic()
    for seq in range(rounds):
        message = json.dumps({"seq": seq, **body}, separators=(",", ":")).encode()
        remaining = connections
        sent_ns = time.monotonic_ns()
        control.sock.sendall(masked_frame(0x1, message))
        deadline = time.monotonic() + 30
        while remaining or not hub_micros or len(hub_micros) <= seq:
            if time.monotonic() > deadline:
                sys.exit(f"round {seq}: {remaining} of {connections} deliveries missing")
            for fd, _ in poller.poll(1):
                now_ns = time.monotonic_ns()
                if fd == control.sock.fileno():
                    control.buffer += control.sock.recv(65536)
                    for opcode, _, payload in parse_frames(control.buffer):
                        if opcode == 0x1:  # "sent N dropped D closed C in X us"
                            hub_micros.append(int(payload.rsplit(b" in ", 1)[1].split()[0]))
                    continue
                member = by_fd[fd]
                chunk = member.sock.recv(65536)
                if not chunk:
                    sys.exit("a member was disconnected by the server")
                member.buffer += chunk
                for opcode, rsv1, payload in parse_frames(member.buffer):
                    if opcode == 0x9:  # answer pings, or the idle timeout closes us
                        member.sock.sendall(masked_frame(0xA, payload))
                    elif opcode == 0x1:
                        if member is members[0]:  # check content on one member per round
                            text = member.inflate(payload) if rsv1 else payload
                            if text != message:
                                sys.exit(f"round {seq}: member 0 got a different message")
                        elif rsv1 != member.deflate:
                            sys.exit("compression flag does not match the negotiation")
                        latencies.append((now_ns - sent_ns) / 1e6)
                        remaining -= 1
    elapsed = time.monotonic() - started
    negotiated = sum(m.deflate for m in members)
    for m in members + [control]:
        m.sock.close()
    poller.close()
    time.sleep(0.3)  # let the server see the closes before the next row
    return latencies, negotiated, elapsed, len(message), hub_micros


def start_server(binary: str) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([binary, "--port", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("LISTENING "):
        process.kill()
        sys.exit(f"server did not start: {line!r}")
    return process, int(line.split()[1])


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True, help="path to a release WSTestServer")
    parser.add_argument("--connections", default="100,1000")
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    process, port = start_server(args.server)
    rows = []
    try:
        for connections in [int(c) for c in args.connections.split(",")]:
            for deflate in (False, True):
                latencies, negotiated, elapsed, size, hub = run_rows(port, connections, args.rounds, deflate)
                rows.append(dict(connections=connections, deflate=deflate, negotiated=negotiated,
                                 count=len(latencies), p50=statistics.median(latencies),
                                 p99=percentile(latencies, 0.99), worst=max(latencies),
                                 rate=len(latencies) / elapsed, size=size, hub=statistics.median(hub)))
    finally:
        process.stdin.close()
        process.wait(timeout=15)

    by_key = {(r["connections"], r["deflate"]): r for r in rows}
    smallest = min(r["connections"] for r in rows)
    print(f"\nWebSocket fan-out: {args.rounds} broadcasts of a {rows[0]['size']}-byte JSON text, server in release mode")
    print(f"{'connections':>11} {'deflate':>7} {'deliveries':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'deliveries/s':>12} {'hub us p50':>10} {'p99 vs ' + str(smallest) + ' conns':>16} {'p99 vs no deflate':>17}")
    for r in rows:
        versus_small = r["p99"] / by_key[(smallest, r["deflate"])]["p99"]
        versus_plain = r["p99"] / by_key[(r["connections"], False)]["p99"]
        label = "on" if r["deflate"] else "off"
        if r["deflate"] and r["negotiated"] != r["connections"]:
            label = f"on({r['negotiated']})"
        print(f"{r['connections']:>11} {label:>7} {r['count']:>10} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['worst']:>8.2f} "
              f"{r['rate']:>12.0f} {r['hub']:>10.0f} {versus_small:>15.2f}x {versus_plain:>16.2f}x")
    print("latency: control send -> member receipt (one epoll client process, monotonic clock);\n"
          "hub us: server time to encode (and compress) once and queue on every member.")


if __name__ == "__main__":
    main()
