#!/usr/bin/env python3
"""Course endpoint latency: how much the whole system adds on top of classification.

Sends the photos one at a time (`loadgen --concurrency 1`) to `POST /` of our web tier, whose
autoscaler runs one release-built `apptier` against moto, and subtracts from each end-to-end latency
what `classify` takes for the same file locally (decode + preprocess + inference). The difference is
the system's own cost: multipart upload, S3 put and get, SQS send, long-poll hand-offs, the result
message and the reply. A warm-up request first launches the worker.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from bench_support import AWS_TEST_ENV, ROOT, start_moto


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered) + 0.5)) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", required=True, help="directory with release webtier, apptier, classify, loadgen")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    bin_dir = Path(args.bin)
    env = dict(os.environ, **AWS_TEST_ENV)
    photos_dir = ROOT / "testdata/photos"

    moto, endpoint = start_moto()
    prefix = f"lat-{uuid.uuid4().hex[:8]}"
    settings = {"queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
                "queues.deadLetterQueue": f"{prefix}-dlq", "storage.inputBucket": f"{prefix}-in",
                "storage.outputBucket": f"{prefix}-out", "scaling.maxInstances": "1",
                "scaling.intervalSeconds": "0.5", "worker.maxEmptyPollsBeforeShutdown": "1000",
                "model.intraOpThreads": "1", "fleet.workerExecutable": str(bin_dir / "apptier")}
    command = [str(bin_dir / "webtier"), "--config", str(ROOT / "Config/local.json"), "--endpoint", endpoint,
               "--port", "0", "--log-level", "warning"]
    for key, value in settings.items():
        command += ["--set", f"{key}={value}"]
    log = tempfile.NamedTemporaryFile(prefix="course-latency-", suffix=".log", delete=False)
    web = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, env=env, text=True, cwd=ROOT)
    try:
        line = web.stdout.readline()
        if not line.startswith("LISTENING"):
            sys.exit(f"webtier did not start: {Path(log.name).read_text()[-2000:]}")
        url = f"http://127.0.0.1:{line.split()[1]}/"
        loadgen = [str(bin_dir / "loadgen"), url, str(photos_dir)]
        subprocess.run(loadgen + ["--count", "1", "--quiet"], env=env, check=True, capture_output=True, timeout=300)
        run = subprocess.run(loadgen + ["--concurrency", "1", "--count", str(args.requests)], env=env,
                             capture_output=True, text=True, timeout=1200)
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=60)
        moto.terminate()
        moto.wait()
    if run.returncode != 0:
        sys.exit(run.stdout + run.stderr)

    classified = subprocess.run([str(bin_dir / "classify"), "--json", "--threads", "1", str(photos_dir)],
                                env=env, capture_output=True, text=True, check=True).stdout
    local_ms = {Path(entry["file"]).name: entry["ms"] for entry in map(json.loads, filter(None, classified.splitlines()))}
    end_to_end, added = [], []
    for row in run.stdout.splitlines():
        if not row.startswith("ok "):
            continue
        parts = row.split()
        ms, file_name = float(parts[1]), parts[3]
        end_to_end.append(ms)
        added.append(ms - local_ms[file_name])

    print(f"\ncourse endpoint: {len(end_to_end)} sequential POST / requests, one worker, moto as AWS\n")
    print("| ms | p50 | p99 |")
    print("|---|---|---|")
    print(f"| end to end (loadgen) | {percentile(end_to_end, 0.5):.1f} | {percentile(end_to_end, 0.99):.1f} |")
    local = [local_ms[name] for name in local_ms]
    print(f"| classify on the local file | {percentile(local, 0.5):.1f} | {percentile(local, 0.99):.1f} |")
    print(f"| added by the system | {percentile(added, 0.5):.1f} | {percentile(added, 0.99):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
