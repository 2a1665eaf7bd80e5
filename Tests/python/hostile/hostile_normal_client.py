"""A normal client, run as its own process so the attack's Python threads cannot slow it down: a
fresh connection from `--source` for each `GET /healthz`, one every `--interval` seconds, until
standard input closes. Prints STARTED after the first request, and at the end one JSON line:
[[seconds, status], ...] (status 0: no answer within `--timeout`, or the connection failed)."""
import argparse
import http.client
import json
import sys
import threading
import time


def one_request(port: int, source: str, timeout: float) -> tuple[float, int]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        return time.monotonic() - started, response.status
    except OSError:
        return time.monotonic() - started, 0
    finally:
        connection.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", default="127.0.0.2")
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--timeout", type=float, default=5.0)
    options = parser.parse_args()
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    samples = [one_request(options.port, options.source, options.timeout)]
    # The measurement waits for this line, so that even a short case has a normal request in it.
    print("STARTED", flush=True)
    while not stop.is_set():
        stop.wait(options.interval)
        samples.append(one_request(options.port, options.source, options.timeout))
    print(json.dumps(samples), flush=True)


if __name__ == "__main__":
    main()
