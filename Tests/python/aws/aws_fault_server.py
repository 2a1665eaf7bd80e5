"""A scriptable loopback HTTP server for the AWS transport and retry tests (a helper, not a test).

It answers each request with the next scripted action, or echoes the request when the script is
empty, and logs every request so the Swift test can count attempts and inspect what arrived.

    python aws_fault_server.py            # prints "READY <port>" once listening on 127.0.0.1

Control endpoints (never scripted):
    POST /__plan   {"actions": [...]}   replace the script
    GET  /__log                         JSON list of requests received so far
    POST /__reset                       clear script and log

Actions:
    {"status": 503, "body": "...", "headers": {...}}   an HTTP answer
    {"reset": true}                                    drop the connection with a TCP RST, no answer
    {"delay": 1.5, ...}                                sleep first (for timeouts)
    {"barrier": 8}                                     hold until 8 requests wait here, then echo
    {"reject_expect": 403, "body": "..."}              answer an Expect: 100-continue request
                                                       without reading its body
"""
import hashlib
import http.server
import json
import socket
import struct
import sys
import threading
import time

LOCK = threading.Lock()
STATE = {"actions": [], "log": [], "barrier_waiting": 0}
BARRIER = threading.Condition(LOCK)


def next_action():
    with LOCK:
        return STATE["actions"].pop(0) if STATE["actions"] else None


def peek_action():
    with LOCK:
        return STATE["actions"][0] if STATE["actions"] else None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_expect_100(self):
        action = peek_action()
        if action and "reject_expect" in action:
            next_action()
            self.record(body=None, expect_rejected=True)
            self.answer(action["reject_expect"], action.get("body", "").encode(), action.get("headers", {}), close=True)
            return False
        return super().handle_expect_100()

    def do_control(self):
        if self.path == "/__plan":
            plan = json.loads(self.read_body() or b"{}")
            with LOCK:
                STATE["actions"] = list(plan.get("actions", []))
            self.answer(200, b"{}", {})
        elif self.path == "/__log":
            with LOCK:
                body = json.dumps(STATE["log"]).encode()
            self.answer(200, body, {"Content-Type": "application/json"})
        elif self.path == "/__reset":
            with LOCK:
                STATE["actions"], STATE["log"] = [], []
            self.answer(200, b"{}", {})
        else:
            self.answer(404, b"unknown control path", {})

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def record(self, body, expect_rejected=False):
        entry = {
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_length": None if body is None else len(body),
            "body_sha256": None if body is None else hashlib.sha256(body).hexdigest(),
            "client_port": self.client_address[1],
            "expect_rejected": expect_rejected,
        }
        with LOCK:
            STATE["log"].append(entry)

    def answer(self, status, body, headers, close=False):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("x-amzn-RequestId", "fault-%d" % len(STATE["log"]))
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        if self.path.startswith("/__"):
            return self.do_control()
        body = self.read_body()
        self.record(body)
        action = next_action() or {}
        if "delay" in action:
            time.sleep(action["delay"])
        if action.get("reset"):
            # SO_LINGER with a zero timeout turns close() into a TCP RST.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if "barrier" in action:
            with BARRIER:
                STATE["barrier_waiting"] += 1
                BARRIER.notify_all()
                reached = BARRIER.wait_for(lambda: STATE["barrier_waiting"] >= action["barrier"], timeout=60)
            if not reached:
                # The requests were not in flight together: say so instead of echoing success.
                self.answer(504, b"barrier not reached", {})
                return
        if "status" in action:
            self.answer(action["status"], action.get("body", "").encode(), action.get("headers", {}))
            return
        if self.path.startswith("/blob/"):
            size = int(self.path.split("/")[2].split("?")[0])
            self.answer(200, bytes(i % 251 for i in range(size)), {"Content-Type": "application/octet-stream"})
            return
        self.answer(200, body, {
            "X-Echo-Method": self.command,
            "X-Echo-Path": self.path,
            "X-Echo-Length": str(len(body)),
            "X-Echo-SHA256": hashlib.sha256(body).hexdigest(),
        })

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
