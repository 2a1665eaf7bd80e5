#!/usr/bin/env python3
"""The EC2 path on one machine, timed: one job of N photos through the web tier with
`fleet.kind=ec2` (it launches instances in moto's EC2) and `ec2sim`, which boots a real `apptier`
for each instance after a boot delay; idle workers terminate their own instances. The settings
are scripts/ec2-sim's.

Records, from the upload on: the request queue's depth and the fleet as the web tier sees them
(`/metrics`, sampled every 0.25 s; the fleet as of the autoscaler's last tick), the instances moto lists (ec2sim's timeline) and
every result's arrival. Reports the time to the last result, the peak fleet, when the fleet was
back to zero, and beside them `classify` on the same files in one process (the limit).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from bench_support import AWS_TEST_ENV, ROOT, photos, start_moto

METRIC = re.compile(r'^(webtier_[a-z_]+)(?:\{state="([a-z_]+)"\})? (\d+)$', re.M)


def read_metrics(text: str) -> dict:
    """The gauges the charts need from a /metrics page; absent ones are left out."""
    wanted = {("webtier_request_queue_messages", "visible"): "visible",
              ("webtier_request_queue_messages", "in_flight"): "in_flight",
              ("webtier_fleet_instances", "pending"): "pending", ("webtier_fleet_instances", "running"): "running",
              ("webtier_fleet_desired_instances", ""): "desired", ("webtier_results_total", ""): "results"}
    found = {}
    for name, state, value in METRIC.findall(text):
        key = wanted.get((name, state or ""))
        if key:
            found[key] = int(value)
    return found


class Sampler(threading.Thread):
    def __init__(self, url: str, t0: float):
        super().__init__(daemon=True)
        self.url, self.t0 = url, t0
        self.samples: list[dict] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                sample = read_metrics(requests.get(self.url, timeout=5).text)
                sample["t"] = round(time.time() - self.t0, 3)
                self.samples.append(sample)
            except requests.RequestException:
                pass
            self.stopping.wait(0.25)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with release webtier, apptier, ec2sim and classify")
    parser.add_argument("--images", type=int, default=80)
    parser.add_argument("--max-instances", type=int, default=4)
    parser.add_argument("--boot-delay", type=float, default=2)
    parser.add_argument("--json", type=Path, help="write the run (summary and time series) here")
    args = parser.parse_args()
    bin_dir = Path(args.bin).resolve()
    env = dict(os.environ, **AWS_TEST_ENV, NO_PROXY="*", ELASTIC_MODELS_DIR=str(ROOT / "models"))
    images = photos(args.images)
    logs = Path(tempfile.mkdtemp(prefix="bench-ec2path-"))
    timeline = logs / "timeline.csv"
    tag = f"ec2path-{os.getpid()}"
    settings = ["--config", str(ROOT / "Config/local.json"), "--set", "fleet.kind=ec2",
                "--set", "fleet.ec2.imageId=ami-03cf127a", "--set", f"fleet.fleetTag={tag}",
                "--set", f"scaling.maxInstances={args.max_instances}", "--set", "worker.heartbeatSeconds=5",
                "--set", "worker.maxEmptyPollsBeforeShutdown=6", "--set", "queues.longPollSeconds=2"]

    moto, endpoint = start_moto()
    simulator = web = None
    try:
        simulator = subprocess.Popen(
            [str(bin_dir / "ec2sim"), "--endpoint", endpoint, "--fleet-tag", tag, "--apptier", str(bin_dir / "apptier"),
             "--boot-delay", str(args.boot_delay), "--timeline", str(timeline), "--"] + settings,
            env=env, stdout=open(logs / "ec2sim.log", "wb"), stderr=subprocess.STDOUT, cwd=ROOT)
        simulator_started = time.time()
        # The queue depth /metrics shows is read from SQS at most every queueDepthCacheSeconds (2 s by
        # default): as often as it is sampled here, so the chart shows the queue, not the cache.
        web = subprocess.Popen([str(bin_dir / "webtier")] + settings + [
            "--endpoint", endpoint, "--port", "0", "--set", "web.queueDepthCacheSeconds=0.25", "--log-level", "warning"],
            env=env, stdout=subprocess.PIPE, stderr=open(logs / "webtier.log", "wb"), text=True, cwd=ROOT)
        line = web.stdout.readline()
        if not line.startswith("LISTENING"):
            sys.exit(f"webtier did not start: {(logs / 'webtier.log').read_text()[-2000:]}")
        base = f"http://127.0.0.1:{line.split()[1]}"
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)

        t0 = time.time()
        sampler = Sampler(base + "/metrics", t0)
        sampler.start()
        response = requests.post(base + "/api/jobs", timeout=600, files=[
            ("files", (name, data, "application/octet-stream")) for name, data in images])
        response.raise_for_status()
        job = response.json()["jobId"]
        status = {}
        deadline = time.time() + 600
        while time.time() < deadline:
            status = requests.get(f"{base}/api/jobs/{job}", timeout=30).json()
            if status["complete"]:
                break
            time.sleep(0.25)
        # Then until the workers have idled out and terminated their instances.
        deadline = time.time() + 180
        while time.time() < deadline:
            last = sampler.samples[-1] if sampler.samples else {}
            if last.get("pending", 1) + last.get("running", 1) == 0 and last.get("t", 0) > 5:
                break
            time.sleep(0.25)
        time.sleep(1)
        sampler.stopping.set()
        sampler.join()
    finally:
        for process in (simulator, web):
            if process and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (simulator, web):
            if process:
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        moto.send_signal(signal.SIGTERM)
        moto.wait()

    if not status.get("complete"):
        sys.exit(f"the job did not complete: {status.get('counts')} (logs in {logs})")
    results = sorted((r["completedAt"] / 1000 - t0) for r in status["results"])
    fleet = []
    if timeline.exists():
        with open(timeline) as handle:
            for row in csv.DictReader(handle):
                fleet.append(dict(t=round(float(row["seconds"]) + simulator_started - t0, 2),
                                  pending=int(row["pending"]), running=int(row["running"]),
                                  workers=int(row["workers"])))
    samples = sampler.samples
    peak = max((s.get("pending", 0) + s.get("running", 0) for s in samples), default=0)
    peak_moto = max((f["pending"] + f["running"] for f in fleet), default=0)
    busy = [s["t"] for s in samples if s.get("pending", 0) + s.get("running", 0) > 0]
    zero = next((s["t"] for s in samples if busy and s["t"] > busy[-1]), None)

    with tempfile.TemporaryDirectory() as directory:
        for name, data in images:
            (Path(directory) / name).write_bytes(data)
        started = time.perf_counter()
        subprocess.run([str(bin_dir / "classify"), "--json", directory], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        classify_seconds = time.perf_counter() - started

    summary = dict(images=args.images, failed=status["counts"]["failed"], seconds=results[-1], peak=peak,
                   peak_moto=peak_moto, back_to_zero=zero, classify_seconds=classify_seconds,
                   max_instances=args.max_instances, boot_delay=args.boot_delay)
    print(f"\nEC2 path on one machine: {args.images} photos in one job, fleet.kind=ec2 (moto's EC2), ec2sim boots a "
          f"real apptier per instance after {args.boot_delay:g} s, at most {args.max_instances} instances\n")
    print("| figure | value |")
    print("|---|---|")
    print(f"| time to last result | {summary['seconds']:.1f} s |")
    print(f"| `classify` on the same files, one process | {classify_seconds:.1f} s "
          f"(EC2 path {summary['seconds'] / classify_seconds:.1f}x that) |")
    print(f"| peak fleet (autoscaler / moto) | {peak} / {peak_moto} |")
    print(f"| fleet back to 0 | {'%.0f s' % zero if zero is not None else 'not within the run'} |")
    print(f"| failed images | {summary['failed']} |")
    if args.json:
        args.json.write_text(json.dumps(dict(summary=summary, samples=samples, fleet=fleet, results=results),
                                        indent=1))
    return 0 if summary["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
