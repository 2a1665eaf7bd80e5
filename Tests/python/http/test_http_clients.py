"""The Swift HTTP server against Python's http.client and raw sockets on loopback."""
import http.client
import io
import json
import os
import socket
import zlib

import pytest

from httpcore_harness import RunningServer


@pytest.fixture(scope="module")
def server():
    running = RunningServer()
    yield running
    assert running.stop() == 0, "graceful stop exits cleanly"


def connect(server, timeout=10):
    return http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)


class SharedFileSocket:
    """Lets several HTTPResponse objects read one buffered stream (pipelined responses);
    HTTPResponse closes its file after each body, so closing is ignored here."""

    class _KeepOpen:
        def __init__(self, file):
            self._file = file

        def close(self):
            pass

        def __getattr__(self, name):
            return getattr(self._file, name)

    def __init__(self, sock):
        self.file = self._KeepOpen(sock.makefile("rb"))

    def makefile(self, *args, **kwargs):
        return self.file


def test_keep_alive_reuses_the_connection(server):
    conn = connect(server)
    conn.request("GET", "/hello?name=py")
    first = conn.getresponse()
    assert first.status == 200 and first.read() == b"hello py\n"
    sock = conn.sock
    for path in ("/dynamic", "/jobs/17"):
        conn.request("GET", path)
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        assert conn.sock is sock, "same socket: keep-alive"
    assert response.getheader("Date")
    conn.close()


def test_pipelined_requests_over_a_raw_socket(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        requests = b"".join(
            f"GET /jobs/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(20))
        sock.sendall(requests + b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        shared = SharedFileSocket(sock)
        bodies = []
        for _ in range(21):
            response = http.client.HTTPResponse(shared, method="GET")
            response.begin()
            bodies.append(response.read())
        assert bodies[:20] == [f"job {i}\n".encode() for i in range(20)]
        assert bodies[20] == b"abc"


@pytest.mark.parametrize("raw, status", [
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1g\r\nx\r\n0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;" + b"x" * 1000 + b"\r\n", 400),
    (b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(120)) + b"\r\n", 431),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"z" * 70000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/3\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"FROB / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
    (b"PUT /echo HTTP/1.1\r\nHost: x\r\n\r\n", 411),
    (b"GET /hello HTTP/1.1\r\n\r\n", 400),
    (b"GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"PATCH /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405),
    (b"GET /static/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"GET /static/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /static/index.html%00.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400),
])
def test_malformed_requests_over_raw_sockets(server, raw, status):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock, method="GET")
        response.begin()
        assert response.status == status
        response.read()
    # The server survived: a normal request still works.
    conn = connect(server)
    conn.request("GET", "/hello")
    assert conn.getresponse().status == 200
    conn.close()


def test_chunked_upload_streams(server):
    data = os.urandom(2_500_000)

    def pieces():
        view = memoryview(data)
        for offset in range(0, len(data), 100_000):
            yield bytes(view[offset:offset + 100_000])

    conn = connect(server)
    conn.request("POST", "/count", body=pieces(), encode_chunked=True,
                 headers={"Transfer-Encoding": "chunked"})
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"bytes": len(data), "crc32": zlib.crc32(data)}
    conn.close()


def test_expect_continue_over_raw_socket(server):
    body = b"x" * 5000
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST /count HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n")
        interim = sock.recv(1024)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        response = http.client.HTTPResponse(sock, method="POST")
        response.begin()
        assert response.status == 200
        assert json.loads(response.read())["bytes"] == 5000


def test_streamed_response_is_chunked(server):
    conn = connect(server)
    conn.request("GET", "/stream?chunks=200")
    response = conn.getresponse()
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert response.read().decode().splitlines() == [f"chunk {i}" for i in range(200)]
    conn.close()


def test_static_files_validators_and_head(server):
    conn = connect(server)
    conn.request("GET", "/static/")
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200 and b"static" in body
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    etag, modified = response.getheader("ETag"), response.getheader("Last-Modified")
    conn.request("GET", "/static/index.html", headers={"If-None-Match": etag})
    not_modified = conn.getresponse()
    assert not_modified.status == 304 and not_modified.read() == b""
    conn.request("GET", "/static/index.html", headers={"If-Modified-Since": modified})
    since = conn.getresponse()
    assert since.status == 304 and since.read() == b""
    conn.request("HEAD", "/static/data.json")
    head = conn.getresponse()
    assert head.status == 200 and head.read() == b""
    assert head.getheader("Content-Length") == "13"
    assert head.getheader("Content-Type") == "application/json"
    conn.close()


def test_handler_error_is_500_and_connection_closes(server):
    conn = connect(server)
    conn.request("GET", "/fail")
    response = conn.getresponse()
    assert response.status == 500
    assert response.getheader("Connection") == "close"
    conn.close()
