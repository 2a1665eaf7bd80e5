#!/usr/bin/env python3
"""Where moto's time goes while a web tier takes in photos: for our `webtier` and for the Flask
reference, the intake phase of Benchmarks/webtier_bench.py (same photos, batches and clients)
runs through one moto while py-spy samples the moto thread that holds the GIL. moto is one
Python process, so the GIL-held time per image is its serial cost and the ceiling on intake.

Prints, per server, the GIL-held milliseconds per accepted image by what moto was doing (stack
markers below), moto's whole CPU per image (user+system from /proc: also counts what runs
without the GIL, such as hashing and socket I/O), and moto's requests per image by kind. The
sampled table is a breakdown, not a benchmark: a few percent of sampling noise, and py-spy
itself takes some CPU. Needs py-spy (scripts/requirements.txt) and the ptrace right (root here).

Usage: .venv/bin/python Benchmarks/moto_profile.py --bin .build/release [--rounds 2]
"""
from __future__ import annotations

import argparse
import collections
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import ROOT, photos
from webtier_bench import Moto, Server, add_intake_arguments, send

RATE = 400  # samples per second
# (label, markers): a sample counts for the first label one of whose markers is in its stack.
CATEGORIES = [
    ("S3 PutObject: read the body", ["get_data (werkzeug/wrappers/request.py"]),
    ("S3 PutObject: store, ETag (MD5)", ["put_object (moto/s3/models.py", "response_dict (moto/s3/models.py"]),
    ("S3 PutObject: headers, checks, answer", ["_key_response_put (moto/s3/responses.py", "key_response (moto/s3"]),
    ("S3 other", ["moto/s3/"]),
    ("SQS send: queue attributes, O(queue length)", ["attributes (moto/sqs/models.py"]),
    ("SQS send: message, JSON", ["send_message"]),
    ("SQS ReceiveMessage", ["receive_message"]),
    ("SQS DeleteMessage", ["delete_message"]),
    ("SQS other", ["moto/sqs/"]),
    ("per request: service lookup, Flask routing", ["werkzeug_app.py", "flask/app.py", "moto/core/"]),
    ("per request: HTTP parse, access log, answer", ["run_wsgi (werkzeug/serving.py", "handle_one_request"]),
    ("per connection: accept, thread start and close", ["socketserver.py", "threading.py"]),
]


def categorise(raw: Path) -> tuple[collections.Counter, int]:
    """Samples by category from py-spy's raw output (`frame;frame;... count` per line)."""
    counts: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        if not stack or not number.isdigit():
            continue
        total += int(number)
        label = next((label for label, markers in CATEGORIES if any(m in stack for m in markers)), "other")
        counts[label] += int(number)
    return counts, total


def profile_intake(kind: str, bin_dir: Path, moto: Moto, images, batch: int, clients: int) -> dict | None:
    """One intake phase under py-spy; None when py-spy failed (it sometimes dies on attach)."""
    server = Server(kind, bin_dir, moto.endpoint)
    raw = Path(tempfile.mkstemp(prefix=f"moto-profile-{kind}-", suffix=".txt")[1])
    try:
        spy = subprocess.Popen([str(ROOT / ".venv/bin/py-spy"), "record", "--pid", str(moto.process.pid), "--gil",
                                "--rate", str(RATE), "--format", "raw", "--nonblocking", "-o", str(raw)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # attached before the first request
        mark = moto.mark()
        accepted = send(server, images, batch, clients)
        moto_cpu, kinds = moto.since(mark)
        spy.send_signal(signal.SIGINT)
        if spy.wait(timeout=30) != 0 or raw.stat().st_size == 0:
            return None
        counts, total = categorise(raw)
        return dict(accepted=accepted, moto_ms=1000 * moto_cpu / accepted, counts=counts, total=total, kinds=kinds)
    finally:
        server.stop()
        raw.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_intake_arguments(parser)
    parser.add_argument("--rounds", type=int, default=1, help="profiled phases per server, summed")
    args = parser.parse_args()
    if not (ROOT / ".venv/bin/py-spy").exists():
        sys.exit("py-spy is missing: .venv/bin/pip install -r scripts/requirements.txt")

    images = photos(args.images)
    moto = Moto()
    profiles: dict[str, list[dict]] = {"ours": [], "reference": []}
    try:
        for _ in range(args.rounds):
            for kind in profiles:
                for _attempt in range(3):
                    result = profile_intake(kind, Path(args.bin), moto, images, args.batch, args.clients)
                    if result:
                        profiles[kind].append(result)
                        break
                else:
                    sys.exit(f"py-spy failed three times on the {kind} phase")
    finally:
        moto.stop()

    def per_image(kind: str, samples: int) -> float:
        accepted = sum(p["accepted"] for p in profiles[kind])
        return 1000 * samples / RATE / accepted

    print(f"\nmoto during intake: {args.images} photos in requests of {args.batch}, {args.clients} clients, "
          f"{args.rounds} round(s) per server. ms per accepted image.\n")
    print(f"{'GIL held by moto, sampled':50} {'ours (Swift)':>13} {'Flask+boto3':>13}")
    labels = [label for label, _ in CATEGORIES] + ["other"]
    sums = {kind: sum((p["counts"] for p in runs), collections.Counter()) for kind, runs in profiles.items()}
    for label in labels:
        if sums["ours"][label] or sums["reference"][label]:
            print(f"  {label:48} {per_image('ours', sums['ours'][label]):13.2f} "
                  f"{per_image('reference', sums['reference'][label]):13.2f}")
    totals = {kind: sum(p["total"] for p in runs) for kind, runs in profiles.items()}
    print(f"  {'total (GIL held)':48} {per_image('ours', totals['ours']):13.2f} {per_image('reference', totals['reference']):13.2f}")
    mean = {kind: sum(p["moto_ms"] for p in runs) / len(runs) for kind, runs in profiles.items()}
    print(f"{'moto CPU, user+system (/proc)':50} {mean['ours']:13.2f} {mean['reference']:13.2f}")
    for kind, runs in profiles.items():
        kinds = sum((p["kinds"] for p in runs), collections.Counter())
        accepted = sum(p["accepted"] for p in runs)
        print(f"moto requests per image, {kind}: "
              + ", ".join(f"{name} {count / accepted:.2f}" for name, count in sorted(kinds.items())))


if __name__ == "__main__":
    main()
