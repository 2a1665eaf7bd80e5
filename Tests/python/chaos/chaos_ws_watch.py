"""Watches one job's WebSocket (`/ws?job=ID`) the way the page does, through web-tier restarts,
and writes what the page would have shown to `--out` as JSON once every expected image has an
outcome (or at `--timeout`).

The page keys results by imageId, so it never draws a row twice; what it can show wrongly is an
image's outcome changing under it. So a duplicate here is a result the server delivered again
within one connection (its snapshot counts as delivered), or a later delivery, on any connection,
whose outcome differs from the one shown. A result event after a reconnect for an image shown
before, with the same outcome, is expected (at-least-once delivery around a restart) and only
counted."""
import argparse
import asyncio
import json
import time

import websockets


def outcome(result: dict) -> tuple:
    return (result.get("label"), result.get("error"))


class PageModel:
    def __init__(self, expected: int):
        self.expected = expected
        self.shown: dict[str, dict] = {}
        self.first_shown_at: dict[str, float] = {}
        self.duplicates_in_connection = 0
        self.conflicts = 0
        self.redelivered_across_reconnects = 0
        self.connections = 0
        self.unknown_job_answers = 0

    def deliver(self, result: dict, delivered_here: set[str], live: bool) -> None:
        """`live`: a `result` event (a snapshot's entries restate what the server holds)."""
        image = result.get("imageId")
        if not isinstance(image, str):
            return
        if image in delivered_here:
            self.duplicates_in_connection += 1
        elif image in self.shown and live:
            self.redelivered_across_reconnects += 1
        delivered_here.add(image)
        if image in self.shown:
            if outcome(self.shown[image]) != outcome(result):
                self.conflicts += 1
            return
        self.shown[image] = result
        self.first_shown_at[image] = time.time()

    @property
    def done(self) -> bool:
        return len(self.shown) >= self.expected

    def summary(self) -> dict:
        failed = {image: r.get("error") for image, r in self.shown.items() if r.get("error")}
        return {
            "expected": self.expected, "shown": len(self.shown),
            "duplicates": self.duplicates_in_connection + self.conflicts,
            "duplicatesInConnection": self.duplicates_in_connection, "conflicts": self.conflicts,
            "redeliveredAcrossReconnects": self.redelivered_across_reconnects,
            "connections": self.connections, "unknownJobAnswers": self.unknown_job_answers,
            "failed": failed, "lastShownAt": max(self.first_shown_at.values(), default=None),
            "outcomes": {image: list(outcome(r)) for image, r in self.shown.items()},
        }


async def follow(url: str, page: PageModel, deadline: float) -> None:
    while not page.done and time.time() < deadline:
        delivered_here: set[str] = set()
        try:
            async with websockets.connect(url, open_timeout=5, max_size=2**24) as socket:
                page.connections += 1
                async for message in socket:
                    event = json.loads(message)
                    kind = event.get("type")
                    if kind == "snapshot":
                        for result in event.get("results") or []:
                            page.deliver(result, delivered_here, live=False)
                    elif kind == "result":
                        page.deliver(event, delivered_here, live=True)
                    elif kind == "error" and event.get("code") == "unknownJob":
                        # A restarted web tier that has not rebuilt the job yet: ask again.
                        page.unknown_job_answers += 1
                    if page.done:
                        return
        except (OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException):
            pass
        await asyncio.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--expected", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    page = PageModel(args.expected)
    started = time.time()
    try:
        asyncio.run(asyncio.wait_for(follow(args.url, page, started + args.timeout), args.timeout + 5))
    except asyncio.TimeoutError:
        pass
    summary = page.summary()
    summary["startedAt"] = started
    with open(args.out, "w") as out:
        json.dump(summary, out)


if __name__ == "__main__":
    main()
