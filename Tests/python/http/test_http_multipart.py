"""Multipart uploads of several files through the Swift server, checked byte for byte."""
import http.client
import json
import os
import uuid
import zlib
from urllib.parse import quote

import pytest

from httpcore_harness import RunningServer


@pytest.fixture(scope="module")
def server():
    running = RunningServer()
    yield running
    running.stop()


def encode_multipart(fields, files):
    boundary = "----pytest" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n".encode()
        out += value.encode() + b"\r\n"
    for name, filename, content_type, data in files:
        ascii_name = filename.encode("ascii", "replace").decode().replace('"', "%22")
        disposition = f"form-data; name=\"{name}\"; filename=\"{ascii_name}\""
        if not filename.isascii():
            disposition += f"; filename*=UTF-8''{quote(filename)}"
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
        out += data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return boundary, bytes(out)


def upload(server, body, boundary, query=""):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("POST", "/upload" + query, body=body,
                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    return response.status, payload


def test_several_files_arrive_intact(server):
    files = [
        ("images", "cat.jpg", "image/jpeg", os.urandom(1_000_000)),
        ("images", "dog.png", "image/png", os.urandom(30_000)),
        ("images", "../../etc/passwd", "application/octet-stream", b"root:x:0:0"),
        ("images", "été ☃.jpeg", "image/jpeg", os.urandom(200_000)),
        ("images", "empty.bin", "application/octet-stream", b""),
    ]
    boundary, body = encode_multipart([("job", "demo")], files)
    status, payload = upload(server, body, boundary)
    assert status == 200, payload
    parts = json.loads(payload)
    assert [p["name"] for p in parts] == ["job"] + ["images"] * len(files)
    assert parts[0]["filename"] is None and parts[0]["size"] == 4
    for part, (_, filename, content_type, data) in zip(parts[1:], files):
        assert part["filename"] == filename, "raw filename exposed as sent"
        assert part["contentType"] == content_type
        assert part["size"] == len(data)
        assert part["crc32"] == zlib.crc32(data)
        assert part["spooled"] == (len(data) > 64 * 1024), "large parts go to disk"
    assert [p["safeName"] for p in parts[1:]] == ["cat.jpg", "dog.png", "passwd", "été ☃.jpeg", "empty.bin"]


def test_part_count_limit_is_413_with_the_limit(server):
    boundary, body = encode_multipart([], [("f", f"{i}.txt", "text/plain", b"x") for i in range(5)])
    status, payload = upload(server, body, boundary, query="?maxParts=3")
    assert status == 413
    assert b"limit of 3 parts" in payload


def test_part_size_limit_is_413_with_the_limit(server):
    boundary, body = encode_multipart([], [("f", "big.bin", "application/octet-stream", os.urandom(300_000))])
    status, payload = upload(server, body, boundary, query="?maxPart=100000")
    assert status == 413
    assert b"100000 bytes" in payload


def test_truncated_multipart_is_400(server):
    boundary, body = encode_multipart([], [("f", "a.txt", "text/plain", b"hello")])
    status, payload = upload(server, body[:-10], boundary)
    assert status == 400
    assert b"closing boundary" in payload


def test_wrong_content_type_is_415(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("POST", "/upload", body=b"{}", headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert response.status == 415
    conn.close()
