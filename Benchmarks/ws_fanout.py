#!/usr/bin/env python3
"""WebSocket fan-out benchmark: one broadcast delivered to N connections; p50/p99 delivery latency.

Starts WSTestServer (release build), opens N member connections to /ws/fanout and one control
connection to /ws/fanout-control. Each round the control connection sends a ~300-byte JSON text;
the server's WSHub encodes it once and queues the same frame on every member. Latency is from
just before the control send to each member's receipt (both in this process, monotonic clock),
so it includes the server's hop and this client's own processing of N frames (one Python thread:
the last of 1000 receipts waits for the 999 before it). Rounds run one after another.

Clients are minimal asyncio protocols (raw frames, zlib for permessage-deflate), not the
`websockets` library, so that client overhead stays small next to the server's.
"""
import argparse
import asyncio
import base64
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import time
import zlib


class MemberProtocol(asyncio.Protocol):
    """A fan-out member: handshake, then parse server frames and timestamp each text message."""

    def __init__(self, path: str, port: int, deflate: bool, on_message):
        self.path, self.port, self.deflate = path, port, deflate
        self.on_message = on_message
        self.buffer = bytearray()
        self.handshaken = asyncio.get_running_loop().create_future()
        self.inflater = zlib.decompressobj(-15)
        self.negotiated_deflate = False
        self.closed_with = None
        self.last_text = b""

    def connection_made(self, transport):
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n")
        if self.deflate:
            request += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
        transport.write((request + "\r\n").encode())

    def data_received(self, data):
        now = time.monotonic_ns()
        self.buffer += data
        if not self.handshaken.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode()
            del self.buffer[:end + 4]
            if " 101 " not in head.split("\r\n")[0] + " ":
                self.handshaken.set_exception(ConnectionError(head.split("\r\n")[0]))
                return
            self.negotiated_deflate = "permessage-deflate" in head.lower()
            self.handshaken.set_result(True)
        while len(self.buffer) >= 2:
            first, second = self.buffer[0], self.buffer[1]
            length, offset = second & 0x7F, 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length, offset = struct.unpack_from("!H", self.buffer, 2)[0], 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length, offset = struct.unpack_from("!Q", self.buffer, 2)[0], 10
            if len(self.buffer) < offset + length:
                return
            payload = bytes(self.buffer[offset:offset + length])
            del self.buffer[:offset + length]
            opcode = first & 0x0F
            if opcode == 0x9:  # answer pings, or the server's idle timeout closes us
                self.send_frame(0xA, payload)
            elif opcode == 0x8:
                self.closed_with = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            elif opcode == 0x1:
                if first & 0x40:
                    payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
                self.last_text = payload
                self.on_message(self, payload, now)

    def send_text(self, text: str):
        self.send_frame(0x1, text.encode())

    def send_frame(self, opcode: int, payload: bytes):
        mask = os.urandom(4)
        length = len(payload)
        header = (struct.pack("!BB", 0x80 | opcode, 0x80 | length) if length <= 125
                  else struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(header + mask + masked)


async def run_round_set(port: int, connections: int, rounds: int, deflate: bool):
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    pending = {"seq": -1, "sent_ns": 0, "remaining": 0, "done": None}

    def on_member_message(member, payload, now_ns):
        if payload == b"joined":
            return
        seq = int(payload.split(b'"seq":', 1)[1].split(b",", 1)[0])
        if seq == pending["seq"]:
            latencies.append((now_ns - pending["sent_ns"]) / 1e6)
            pending["remaining"] -= 1
            if pending["remaining"] == 0:
                pending["done"].set_result(True)

    members = []
    for start in range(0, connections, 100):  # connect in batches to stay under the listen backlog
        batch = [loop.create_connection(lambda: MemberProtocol("/ws/fanout", port, deflate, on_member_message),
                                        "127.0.0.1", port) for _ in range(start, min(connections, start + 100))]
        for transport, protocol in await asyncio.gather(*batch):
            members.append(protocol)
        await asyncio.gather(*(m.handshaken for m in members[start:]))
    negotiated = sum(m.negotiated_deflate for m in members)
    hub_micros: list[int] = []

    def on_control_reply(_, payload, now_ns):
        # "sent N dropped D closed C in X us": the server-side cost of one broadcast.
        hub_micros.append(int(payload.rsplit(b" in ", 1)[1].split()[0]))

    _, control = await loop.create_connection(lambda: MemberProtocol("/ws/fanout-control", port, False, on_control_reply),
                                              "127.0.0.1", port)
    await control.handshaken
    await asyncio.sleep(0.3)  # let every member's "joined" arrive and the hub settle

    body = {"v": 1, "jobId": "job-0001", "imageId": "img-0001", "fileName": "test_00.JPEG",
            "label": "golden retriever", "top5": [{"label": f"class {i}", "score": 0.1} for i in range(5)],
            "model": "efficientnet-lite0", "worker": "local-1", "inferenceMs": 12.5}
    started = time.monotonic()
    for seq in range(rounds):
        pending.update(seq=seq, remaining=connections, done=loop.create_future())
        message = json.dumps({"seq": seq, **body}, separators=(",", ":"))
        pending["sent_ns"] = time.monotonic_ns()
        control.send_text(message)
        try:
            await asyncio.wait_for(pending["done"], 30)
        except asyncio.TimeoutError:
            closed = sum(m.closed_with is not None for m in members)
            sys.exit(f"round {seq}: {pending['remaining']} of {connections} deliveries missing; "
                     f"{closed} members closed by the server; control says {control.last_text!r}")
    elapsed = time.monotonic() - started
    for m in members + [control]:
        m.transport.close()
    await asyncio.sleep(0.2)
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
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    process, port = start_server(args.server)
    rows = []
    try:
        for connections in [int(c) for c in args.connections.split(",")]:
            for deflate in (False, True):
                latencies, negotiated, elapsed, size, hub = asyncio.run(run_round_set(port, connections, args.rounds, deflate))
                rows.append((connections, deflate, negotiated, len(latencies), statistics.median(latencies),
                             percentile(latencies, 0.99), max(latencies), len(latencies) / elapsed, size,
                             statistics.median(hub) if hub else float("nan")))
    finally:
        process.stdin.close()
        process.wait(timeout=15)

    base = {(r[0], r[1]): r for r in rows}
    smallest = min(r[0] for r in rows)
    print(f"\nWebSocket fan-out: {args.rounds} broadcasts of a {rows[0][8]}-byte JSON text, server in release mode")
    print(f"{'connections':>11} {'deflate':>7} {'deliveries':>10} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
          f"{'deliveries/s':>12} {'hub us p50':>10} {'p99 vs ' + str(smallest) + ' conns':>16} {'p99 vs no deflate':>17}")
    for connections, deflate, negotiated, count, p50, p99, worst, rate, _, hub in rows:
        versus_small = p99 / base[(smallest, deflate)][5]
        versus_plain = p99 / base[(connections, False)][5]
        label = "on" if deflate else "off"
        if deflate and negotiated != connections:
            label = f"on({negotiated})"
        print(f"{connections:>11} {label:>7} {count:>10} {p50:>8.2f} {p99:>8.2f} {worst:>8.2f} "
              f"{rate:>12.0f} {hub:>10.0f} {versus_small:>15.2f}x {versus_plain:>16.2f}x")
    print("latency: control send -> member receipt, measured in the one Python client process (its own\n"
          "per-frame work is included); hub us: server time to encode once and queue on every member.")


if __name__ == "__main__":
    main()
