"""Request smuggling and malformed requests through the web tier's public port (the corpus of
Tests/python/http and HTTPRequestDecoderTests, aimed at the real routes): each refused with its
status, the connection closed when the framing cannot be trusted, a request hidden behind a
conflicting length never answered, and a normal request served right after each."""
import asyncio

from hostile_measure import CaseResult, Measurement
from hostile_net import close_quietly, connect, healthz_status, read_status

UPLOAD = (b"POST /api/jobs HTTP/1.1\r\nHost: h\r\n"
          b"Content-Type: multipart/form-data; boundary=b\r\n")
CHUNKED_UPLOAD = UPLOAD + b"Transfer-Encoding: chunked\r\n\r\n"
SMUGGLED = b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n"

# (name, bytes, statuses that count as refused, whether the server must close the connection)
CORPUS = [
    ("CL+TE", UPLOAD + b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, {400}, True),
    ("TE+CL", UPLOAD + b"Transfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + SMUGGLED, {400}, True),
    ("double Content-Length", UPLOAD + b"Content-Length: 0\r\nContent-Length: 36\r\n\r\n" + SMUGGLED, {400}, True),
    ("Content-Length list", UPLOAD + b"Content-Length: 0, 36\r\n\r\n" + SMUGGLED, {400}, True),
    ("negative Content-Length", UPLOAD + b"Content-Length: -1\r\n\r\n", {400}, True),
    ("signed Content-Length", UPLOAD + b"Content-Length: +36\r\n\r\n" + SMUGGLED, {400}, True),
    ("obs-fold", b"GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n", {400}, True),
    ("folded Transfer-Encoding", UPLOAD + b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", {400}, True),
    ("space before colon", UPLOAD + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, {400}, True),
    ("bare LF", b"GET /healthz HTTP/1.1\nHost: h\n\n", {400}, True),
    ("bare LF in chunk size", CHUNKED_UPLOAD + b"5\nhello\r\n0\r\n\r\n", {400}, True),
    ("TE chunked, gzip", UPLOAD + b"Transfer-Encoding: chunked, gzip\r\n\r\n", {400, 501}, True),
    ("TE chunked twice", UPLOAD + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     {400, 501}, True),
    ("TE with vertical tab", UPLOAD + b"Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n", {400, 501}, True),
    ("HTTP/1.0 + chunked", b"POST /api/jobs HTTP/1.0\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED, {400}, True),
    ("invalid chunk size", CHUNKED_UPLOAD + b"1g\r\nx\r\n0\r\n\r\n", {400}, True),
    ("overflowing chunk size", CHUNKED_UPLOAD + b"ffffffffffffffffffff\r\n", {400, 413}, True),
    ("chunk size 0x prefix", CHUNKED_UPLOAD + b"0x5\r\nhello\r\n0\r\n\r\n", {400}, True),
    ("chunk longer than its size", CHUNKED_UPLOAD + b"3\r\nhello\r\n0\r\n\r\n", {400}, True),
    ("chunk extension abuse", CHUNKED_UPLOAD + b"3;" + b"e" * 4000 + b"\r\n", {400}, True),
    ("request line over 8 KiB", b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: h\r\n\r\n", {414}, True),
    ("120 header fields", b"GET /healthz HTTP/1.1\r\nHost: h\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(120))
     + b"\r\n", {431}, True),
    ("header of 70 KB", b"GET /healthz HTTP/1.1\r\nHost: h\r\nX-Big: " + b"z" * 70000 + b"\r\n\r\n", {431}, True),
    ("missing Host", b"GET /healthz HTTP/1.1\r\n\r\n", {400}, True),
    ("two Hosts", b"GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400}, True),
    ("HTTP/2.0", b"GET /healthz HTTP/2.0\r\nHost: h\r\n\r\n", {505}, True),
    ("HTTP/0.9", b"GET /healthz\r\n\r\n", {400}, True),
    ("unknown method", b"BREW /healthz HTTP/1.1\r\nHost: h\r\n\r\n", {501}, False),
    ("absolute-form target", b"GET http://evil/healthz HTTP/1.1\r\nHost: h\r\n\r\n", {400}, True),
    ("control byte in target", b"GET /health\x01z HTTP/1.1\r\nHost: h\r\n\r\n", {400}, True),
    ("NUL in header value", b"GET /healthz HTTP/1.1\r\nHost: h\r\nX-A: a\x00b\r\n\r\n", {400}, True),
    ("traversal", b"GET /..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: h\r\n\r\n", {400, 404}, False),
    ("POST without length", b"POST /api/jobs HTTP/1.1\r\nHost: h\r\n\r\n", {411}, True),
]


async def send_one(port: int, raw: bytes, must_close: bool) -> tuple[int | None, bool, bool]:
    """(status, whether the server closed, whether a second response followed the first)."""
    reader, writer = await connect(port, "127.0.0.7")
    try:
        writer.write(raw)
        await writer.drain()
        status = await read_status(reader, 10)
        rest = b""
        closed = False
        try:
            async with asyncio.timeout(5 if must_close else 0.5):
                while chunk := await reader.read(65536):
                    rest += chunk
            closed = True
        except TimeoutError:
            pass
        except ConnectionError:
            closed = True
        return status, closed, b"\r\nHTTP/1." in rest or rest.startswith(b"HTTP/1.")
    except ConnectionError:
        return None, True, False
    finally:
        close_quietly(writer)


def malformed_corpus(run) -> CaseResult:
    result = CaseResult("smuggling and malformed requests")
    port = run.system.port
    with Measurement(run.system, run.limits, result), run.ledger.uploading(port, 2, result):
        for _ in range(run.limits.malformed_repeats):
            for name, raw, statuses, must_close in CORPUS:
                status, closed, second = asyncio.run(send_one(port, raw, must_close))
                if status not in statuses:
                    result.failures.append(f"{name}: answered {status}, expected {sorted(statuses)}")
                if must_close and not closed:
                    result.failures.append(f"{name}: answered {status} but the connection stayed open")
                if second:
                    result.failures.append(f"{name}: a second (smuggled) request was answered")
                if (after := healthz_status(port, "127.0.0.8")) != 200:
                    result.failures.append(f"{name}: the next normal request was answered {after}")
        result.notes.append(f"{len(CORPUS)} malformed requests x {run.limits.malformed_repeats}")
        # One line per kind of request, not per repetition.
        result.failures = list(dict.fromkeys(result.failures))
    return result
