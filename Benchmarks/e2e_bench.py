#!/usr/bin/env python3
"""End to end: N photos through a web tier and its workers, our design versus the original one,
and versus the limit, side by side on the same photos, the same moto and the same model.

- ours: `webtier` with its local fleet held at W workers (`scaling.minInstances` =
  `maxInstances` = W), results read from `GET /api/jobs/<id>`;
- Python, the original design: Flask + boto3 (Benchmarks/reference/webtier_reference.py with
  --response-queue, which polls the response queue as the original web tier did) and W Python
  workers (Benchmarks/reference/worker_reference.py);
- the limit: `classify` on the same files in one process (no HTTP, no S3, no SQS).

Each trial gets a fresh moto and fresh processes; the workers are started and left to load the
model before the clock starts (their CPU settles), so the figures are the steady pipeline, not
start-up. The photos go up in requests of --batch files from --clients concurrent clients. Time
to last result: from the first request's start to the last result the web tier received
(`completedAt`); latency per image: from the start of the request that carried it to its result.
CPU: the web tier's and its workers' own CPU during the trial (moto's is shown beside it: it is
the same for both designs' requests and is what caps throughput on a small machine). Rounds
alternate which design goes first; the table shows medians.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3
import requests

from bench_support import AWS_TEST_ENV, ROOT, cpu_seconds, free_port, photos, start_moto
from report.e2e import OURS, PYTHON, table


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (from /proc/*/stat's ppid field)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def total_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except OSError:
            pass
    return total


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class System:
    """One design under test: a web tier and `workers` workers on a private moto."""

    def __init__(self, design: str, workers: int, bin_dir: Path, endpoint: str, logs: Path):
        self.design, self.workers = design, workers
        prefix = f"e2e-{uuid.uuid4().hex[:8]}"
        env = dict(os.environ, **AWS_TEST_ENV, NO_PROXY="*", ELASTIC_MODELS_DIR=str(ROOT / "models"))
        self.log = open(logs / f"{prefix}-{'ours' if design == OURS else 'python'}-web.log", "wb")
        self.worker_processes: list[subprocess.Popen] = []
        if design == OURS:
            settings = {"queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
                        "queues.deadLetterQueue": f"{prefix}-dlq", "storage.inputBucket": f"{prefix}-in",
                        "storage.outputBucket": f"{prefix}-out", "fleet.fleetTag": prefix,
                        "scaling.minInstances": str(workers), "scaling.maxInstances": str(workers),
                        "worker.maxEmptyPollsBeforeShutdown": "100000", "worker.statsIntervalSeconds": "0",
                        "model.intraOpThreads": "1", "fleet.workerExecutable": str(bin_dir / "apptier")}
            command = [str(bin_dir / "webtier"), "--config", str(ROOT / "Config/local.json"), "--endpoint", endpoint,
                       "--port", "0", "--log-level", "warning"]
            for key, value in settings.items():
                command += ["--set", f"{key}={value}"]
        else:
            command = [str(ROOT / ".venv/bin/python"), str(ROOT / "Benchmarks/reference/webtier_reference.py"),
                       "--port", str(free_port()), "--endpoint", endpoint, "--input-bucket", f"{prefix}-in",
                       "--queue", f"{prefix}-req", "--response-queue", f"{prefix}-resp"]
        self.web = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log, env=env, text=True, cwd=ROOT)
        line = self.web.stdout.readline()
        if not line.startswith("LISTENING"):
            self.stop()
            raise RuntimeError(f"{design} web tier did not start: {Path(self.log.name).read_text()[-2000:]}")
        self.base = f"http://127.0.0.1:{line.split()[1]}"
        self.wait_until(lambda: self.answers("/healthz"), 30, "the web tier to answer")
        if design == PYTHON:
            session = boto3.session.Session(**{k: AWS_TEST_ENV[v] for k, v in (
                ("aws_access_key_id", "AWS_ACCESS_KEY_ID"), ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
                ("region_name", "AWS_DEFAULT_REGION"))})
            session.client("s3", endpoint_url=endpoint).create_bucket(Bucket=f"{prefix}-out")
            for _ in range(workers):
                self.worker_processes.append(subprocess.Popen(
                    [str(ROOT / ".venv/bin/python"), str(ROOT / "Benchmarks/reference/worker_reference.py"),
                     "--endpoint", endpoint, "--request-queue", f"{prefix}-req", "--response-queue", f"{prefix}-resp",
                     "--output-bucket", f"{prefix}-out", "--threads", "1", "--wait", "5",
                     "--max-empty-polls", "100000"], env=env, stdout=subprocess.DEVNULL, stderr=self.log))
        self.wait_until(lambda: len(self.worker_pids()) == workers, 60, f"{workers} workers")
        self.settle()

    def answers(self, path: str) -> bool:
        try:
            return requests.get(self.base + path, timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def wait_until(self, condition, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.design}: timed out waiting for {what}")
            time.sleep(0.1)

    def worker_pids(self) -> list[int]:
        if self.design == OURS:
            return children(self.web.pid)
        return [p.pid for p in self.worker_processes if p.poll() is None]

    def pids(self) -> list[int]:
        return [self.web.pid] + self.worker_pids()

    def settle(self, seconds: float = 120) -> None:
        """Until the workers have loaded the model: their CPU grows by under 50 ms in a second."""
        deadline = time.monotonic() + seconds
        before = total_cpu(self.worker_pids())
        while time.monotonic() < deadline:
            time.sleep(1)
            now = total_cpu(self.worker_pids())
            if now - before < 0.05:
                return
            before = now

    def post(self, files: list[tuple[str, bytes]]) -> tuple[str, float, list[str]]:
        """(job id, request start in ms since 1970, image ids)."""
        started = time.time() * 1000
        response = requests.post(self.base + "/api/jobs", timeout=600, files=[
            ("files", (name, data, "application/octet-stream")) for name, data in files])
        if response.status_code != 202:
            raise RuntimeError(f"{self.design} answered {response.status_code}: {response.text[:300]}")
        body = response.json()
        return body["jobId"], started, [image["imageId"] for image in body["images"]]

    def results(self, job_id: str) -> tuple[list[dict], bool]:
        response = requests.get(f"{self.base}/api/jobs/{job_id}", timeout=30)
        response.raise_for_status()
        body = response.json()
        return body["results"], body["complete"]

    def stop(self) -> None:
        for process in self.worker_processes:
            stop(process)
        stop(self.web, timeout=60)
        self.log.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))] if ordered else float("nan")


def trial(design: str, workers: int, bin_dir: Path, images, batch: int, clients: int, logs: Path) -> dict:
    moto, endpoint = start_moto()
    system = None
    try:
        system = System(design, workers, bin_dir, endpoint, logs)
        pids = system.pids()
        cpu_before, moto_before = total_cpu(pids), cpu_seconds(moto.pid)
        started = time.time() * 1000
        batches = [images[i:i + batch] for i in range(0, len(images), batch)]
        with concurrent.futures.ThreadPoolExecutor(clients) as pool:
            jobs = list(pool.map(system.post, batches))
        sent = {image_id: request_start for _, request_start, ids in jobs for image_id in ids}
        done: dict[str, dict] = {}
        deadline = time.monotonic() + 600
        pending = {job_id for job_id, _, _ in jobs}
        while pending and time.monotonic() < deadline:
            for job_id in list(pending):
                results, complete = system.results(job_id)
                for result in results:
                    done.setdefault(result["imageId"], result)
                if complete:
                    pending.discard(job_id)
            if pending:
                time.sleep(0.2)
        cpu = total_cpu(pids) - cpu_before
        moto_cpu = cpu_seconds(moto.pid) - moto_before
    finally:
        if system:
            system.stop()
        moto.send_signal(signal.SIGTERM)
        moto.wait()
    if pending:
        raise RuntimeError(f"{design} with {workers} workers: {len(sent) - len(done)} images without a result")
    finished = [done[image_id]["completedAt"] for image_id in sent]
    last = (max(finished) - started) / 1000
    latencies = [(done[image_id]["completedAt"] - start) / 1000 for image_id, start in sent.items()]
    failed = sum(1 for result in done.values() if result.get("error"))
    return dict(design=design, workers=workers, images=len(sent), failed=failed, seconds=last,
                rate=len(sent) / last, p50=percentile(latencies, 50), p95=percentile(latencies, 95),
                cpu=cpu, moto_cpu=moto_cpu)


def classify_trial(bin_dir: Path, directory: Path, count: int) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen([str(bin_dir / "classify"), "--json", str(directory)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=dict(os.environ, ELASTIC_MODELS_DIR=str(ROOT / "models")),
                               cwd=ROOT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"classify failed: {process.stderr.read().decode(errors='replace')[-2000:]}")
    answered = sum(1 for line in output.decode().splitlines() if '"label"' in line)
    return dict(design="classify (one process)", workers=0, images=answered, failed=count - answered,
                seconds=seconds, rate=answered / seconds, p50=None, p95=None,
                cpu=usage.ru_utime + usage.ru_stime, moto_cpu=None)


def median_row(trials: list[dict]) -> dict:
    row = dict(trials[0])
    for key in ("seconds", "rate", "p50", "p95", "cpu", "moto_cpu"):
        values = [t[key] for t in trials if t[key] is not None]
        row[key] = statistics.median(values) if values else None
    row["failed"] = max(t["failed"] for t in trials)
    row["rounds"] = len(trials)
    return row


def summarize(trials: list[dict], worker_counts: list[int]) -> list[dict]:
    """Median rows: per worker count ours then Python (with ours' speed-up over Python), then classify."""
    rows = []
    for workers in worker_counts:
        ours = median_row([t for t in trials if t["design"] == OURS and t["workers"] == workers])
        python = median_row([t for t in trials if t["design"] == PYTHON and t["workers"] == workers])
        ours["vs_python"] = python["seconds"] / ours["seconds"]
        python["vs_python"] = 1.0
        rows += [ours, python]
    limit = median_row([t for t in trials if t["workers"] == 0])
    for row in rows:
        row["vs_classify"] = row["seconds"] / limit["seconds"]
    limit["vs_classify"], limit["vs_python"] = 1.0, None
    return rows + [limit]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="directory with release webtier, apptier and classify")
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--workers", default="1,2,3", help="worker counts, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10, help="files per upload request")
    parser.add_argument("--clients", type=int, default=4, help="concurrent upload requests")
    parser.add_argument("--json", type=Path, help="write the trials and medians here")
    args = parser.parse_args()
    bin_dir = Path(args.bin).resolve()
    worker_counts = [int(n) for n in args.workers.split(",")]
    images = photos(args.images)
    logs = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    trials = []
    with tempfile.TemporaryDirectory() as directory:
        for name, data in images:
            (Path(directory) / name).write_bytes(data)
        for round_index in range(args.rounds):
            designs = [OURS, PYTHON] if round_index % 2 == 0 else [PYTHON, OURS]
            for workers in worker_counts:
                for design in designs:
                    trials.append(dict(trial(design, workers, bin_dir, images, args.batch, args.clients, logs),
                                       round=round_index + 1))
                    t = trials[-1]
                    print(f"round {round_index + 1}: {design}, {workers} workers: {t['seconds']:.2f} s, "
                          f"p95 {t['p95']:.2f} s, CPU {t['cpu']:.1f} s", file=sys.stderr, flush=True)
            trials.append(dict(classify_trial(bin_dir, Path(directory), len(images)), round=round_index + 1))
    rows = summarize(trials, worker_counts)
    print(f"\nend to end: {args.images} photos through the web tier (requests of {args.batch}, {args.clients} clients) "
          f"to their last result; one moto; medians of {args.rounds} rounds\n")
    print(table(dict(rows=rows, trials=trials)))
    print("\nours vs Python: the original design's time to last result over ours (> 1: ours is faster); "
          "time vs classify: over `classify` on the same files in one process (the limit).")
    if args.json:
        args.json.write_text(json.dumps(dict(images=args.images, batch=args.batch, clients=args.clients,
                                             rounds=args.rounds, workers=worker_counts, rows=rows, trials=trials),
                                        indent=1))
    return 0 if all(row["failed"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
