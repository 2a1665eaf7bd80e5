"""A real WebSocket client (the `websockets` library) for the Swift web-tier tests: connects to
`--url`, prints every JSON event it receives as one line on stdout, and exits 0 once `--results`
distinct result events have arrived (counting those in the snapshot), 2 on timeout, 3 when the
server refused the connection (the status is printed as `REFUSED <status>`)."""
import argparse
import asyncio
import json
import sys

import websockets


async def collect(url: str, expected: int, timeout: float, origin: str | None) -> int:
    seen: set[str] = set()
    try:
        async with websockets.connect(url, origin=origin, open_timeout=10, max_size=2**24) as socket:
            async def read():
                async for message in socket:
                    print(message, flush=True)
                    event = json.loads(message)
                    if event.get("type") == "snapshot":
                        seen.update(r["imageId"] for r in event.get("results", []))
                    elif event.get("type") == "result":
                        seen.add(event["imageId"])
                    elif event.get("type") == "error":
                        return
                    if expected and len(seen) >= expected:
                        return
            await asyncio.wait_for(read(), timeout)
    except websockets.exceptions.InvalidStatus as refused:
        print(f"REFUSED {refused.response.status_code}", flush=True)
        return 3
    except asyncio.TimeoutError:
        return 2
    return 0 if len(seen) >= expected else 2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--results", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--origin")
    args = parser.parse_args()
    sys.exit(asyncio.run(collect(args.url, args.results, args.timeout, args.origin)))


if __name__ == "__main__":
    main()
