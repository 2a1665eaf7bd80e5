#!/usr/bin/env python3
"""Web-tier intake benchmark: our `webtier` versus the reference Flask + boto3 web tier
(Benchmarks/reference/webtier_reference.py), side by side through one moto.

Two phases per server, each a fresh process:
1. throughput: N real photos (cycled) sent to POST /api/jobs in requests of B files by C
   concurrent clients; images accepted per second, and the server process's own CPU time per
   accepted image (utime+stime from /proc, so the client and moto are not counted). Beside it,
   what the phase cost moto, the single-process (GIL-bound) server both share and the usual
   ceiling: moto's own CPU and the requests it served, per accepted image. With --rounds R the
   phase runs R times per server (alternating, each a fresh server and fresh queue) and the
   table shows medians;
2. memory: 300 uploads of 1 MB in one request; the server's peak RSS while accepting them
   (VmHWM after resetting it with /proc/PID/clear_refs).
Nothing classifies: no worker runs, so the queue only fills.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench_support import AWS_TEST_ENV, ROOT, cpu_seconds, free_port, moto_requests, photos, start_moto



def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")


class Server:
    def __init__(self, kind: str, bin_dir: Path, endpoint: str):
        prefix = f"wtb-{uuid.uuid4().hex[:8]}"
        environment = dict(os.environ, **AWS_TEST_ENV, NO_PROXY="*")
        self.log = tempfile.NamedTemporaryFile(prefix=f"bench-{kind}-", suffix=".log", delete=False)
        if kind == "ours":
            command = [str(bin_dir / "webtier"), "--config", str(ROOT / "Config/local.json"), "--endpoint", endpoint,
                       "--port", "0", "--no-autoscaler", "--log-level", "warning"]
            for key, value in {"queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
                               "queues.deadLetterQueue": f"{prefix}-dlq", "storage.inputBucket": f"{prefix}-in",
                               "storage.outputBucket": f"{prefix}-out"}.items():
                command += ["--set", f"{key}={value}"]
        else:
            command = [str(ROOT / ".venv/bin/python"), str(ROOT / "Benchmarks/reference/webtier_reference.py"),
                       "--port", str(free_port()), "--endpoint", endpoint, "--input-bucket", f"{prefix}-in",
                       "--queue", f"{prefix}-req"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, env=environment, text=True,
                                        cwd=ROOT)
        line = self.process.stdout.readline()
        if not line.startswith("LISTENING"):
            self.stop()
            sys.exit(f"{kind} did not start: {Path(self.log.name).read_text()[-2000:]}")
        self.url = f"http://127.0.0.1:{line.split()[1]}/api/jobs"
        # The reference prints before Flask binds: wait until it answers.
        for _ in range(200):
            try:
                requests.get(self.url.replace("/api/jobs", "/healthz"), timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def post(url: str, files: list[tuple[str, bytes]]) -> int:
    response = requests.post(url, files=[("files", (name, data, "application/octet-stream")) for name, data in files],
                             timeout=600)
    if response.status_code != 202:
        raise RuntimeError(f"{url} answered {response.status_code}: {response.text[:300]}")
    return len(response.json()["images"])


class Moto:
    """The shared moto server, with its access log so that the requests of a phase can be counted."""

    def __init__(self):
        self.log = Path(tempfile.mkstemp(prefix="bench-moto-", suffix=".log")[1])
        self.process, self.endpoint = start_moto(request_log=self.log)

    def mark(self) -> tuple[float, int]:
        return cpu_seconds(self.process.pid), self.log.stat().st_size

    def since(self, mark: tuple[float, int]) -> tuple[float, collections.Counter]:
        """moto's CPU seconds and its requests by kind ("PUT object", "POST /" …) since `mark`."""
        time.sleep(0.2)  # werkzeug logs a request after answering it
        kinds = collections.Counter()
        for method, path, _ in moto_requests(self.log, mark[1]):
            kinds[f"{method} {'/' if path.split('?')[0] == '/' else 'object' if path.count('/') > 1 else 'bucket'}"] += 1
        return cpu_seconds(self.process.pid) - mark[0], kinds

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        self.log.unlink(missing_ok=True)


def send(server: Server, images: list[tuple[str, bytes]], batch: int, clients: int) -> int:
    """The intake phase: `images` in requests of `batch` files from `clients` at once; accepted count."""
    batches = [images[i:i + batch] for i in range(0, len(images), batch)]
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        return sum(pool.map(lambda files: post(server.url, files), batches))


def add_intake_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of the intake phase, shared with Benchmarks/moto_profile.py."""
    parser.add_argument("--bin", required=True, help="directory with the webtier binary (release build)")
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--batch", type=int, default=10, help="files per request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent requests")


def throughput(server: Server, moto: Moto, images: list[tuple[str, bytes]], batch: int, clients: int) -> dict:
    cpu_before = cpu_seconds(server.pid)
    moto_mark = moto.mark()
    start = time.perf_counter()
    accepted = send(server, images, batch, clients)
    wall = time.perf_counter() - start
    cpu = cpu_seconds(server.pid) - cpu_before
    moto_cpu, requests_by_kind = moto.since(moto_mark)
    return dict(rate=accepted / wall, cpu_ms=1000 * cpu / accepted, moto_ms=1000 * moto_cpu / accepted,
                moto_requests=sum(requests_by_kind.values()) / accepted, kinds=requests_by_kind, accepted=accepted)


def memory(server: Server, count: int, size: int) -> tuple[float, int, float]:
    header = bytes([0xFF, 0xD8, 0xFF, 0xE0])
    files = [(f"big-{i:03d}.jpg", header + os.urandom(size - len(header))) for i in range(count)]
    reset_peak(server.pid)
    start = time.perf_counter()
    accepted = post(server.url, files)
    return peak_rss_mb(server.pid), accepted, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_intake_arguments(parser)
    parser.add_argument("--big-files", type=int, default=300)
    parser.add_argument("--big-size", type=int, default=1 << 20)
    parser.add_argument("--rounds", type=int, default=1, help="throughput phases per server (medians shown)")
    args = parser.parse_args()

    images = photos(args.images)
    total_mb = sum(len(data) for _, data in images) / 1e6
    moto = Moto()
    runs: dict[str, list[dict]] = {"ours": [], "reference": []}
    rows = {}
    try:
        for _ in range(max(args.rounds, 1)):
            for kind in runs:
                server = Server(kind, Path(args.bin), moto.endpoint)
                try:
                    runs[kind].append(throughput(server, moto, images, args.batch, args.clients))
                finally:
                    server.stop()
        for kind in runs:
            server = Server(kind, Path(args.bin), moto.endpoint)
            try:
                peak, big_accepted, big_wall = memory(server, args.big_files, args.big_size)
            finally:
                server.stop()
            rows[kind] = dict(peak=peak, big_accepted=big_accepted, big_wall=big_wall,
                              **{key: statistics.median(run[key] for run in runs[kind])
                                 for key in ("rate", "cpu_ms", "moto_ms", "moto_requests")})
    finally:
        moto.stop()

    ours, ref = rows["ours"], rows["reference"]
    rounds = f"medians of {args.rounds} rounds" if args.rounds > 1 else "one round"
    print(f"\nWeb-tier intake: {args.images} photos ({total_mb:.1f} MB) in requests of {args.batch}, "
          f"{args.clients} clients ({rounds}); then {args.big_files} x {args.big_size >> 20} MB in one request. "
          f"One moto.\n")
    print(f"{'metric':44} {'ours (Swift)':>14} {'Flask+boto3':>14} {'ratio':>8}")
    def row(name, a, b, fmt, better_low):
        ratio = (b / a if better_low else a / b) if a and b else float("nan")
        print(f"{name:44} {fmt.format(a):>14} {fmt.format(b):>14} {ratio:>7.2f}x")
    row("images accepted / s", ours["rate"], ref["rate"], "{:.1f}", False)
    row("server CPU ms per accepted image", ours["cpu_ms"], ref["cpu_ms"], "{:.2f}", True)
    row("moto CPU ms per accepted image", ours["moto_ms"], ref["moto_ms"], "{:.2f}", True)
    row("moto requests per accepted image", ours["moto_requests"], ref["moto_requests"], "{:.2f}", True)
    row(f"peak RSS MB, {args.big_files} x 1 MB upload", ours["peak"], ref["peak"], "{:.1f}", True)
    row(f"seconds for the {args.big_files} x 1 MB upload", ours["big_wall"], ref["big_wall"], "{:.2f}", True)
    print("\nratio > 1 means ours is better (faster, less CPU, less memory, fewer requests).")
    for kind in runs:
        kinds = ", ".join(f"{name} {count / runs[kind][-1]['accepted']:.2f}"
                          for name, count in sorted(runs[kind][-1]["kinds"].items()))
        print(f"moto requests per image, {kind}: {kinds}")
    if args.rounds > 1:
        print("per round, images/s ours / Flask: "
              + " ".join(f"{a['rate'] / b['rate']:.2f}" for a, b in zip(runs["ours"], runs["reference"])))
    for kind, values in rows.items():
        assert all(run["accepted"] == args.images for run in runs[kind]), (kind, runs[kind])
        assert values["big_accepted"] == args.big_files, (kind, values)


if __name__ == "__main__":
    main()
