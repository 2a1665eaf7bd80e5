#!/usr/bin/env python3
"""App-tier benchmark: our `apptier` versus the Python reference worker, side by side.

Both classify the same N real photos through the same moto server with the same model and
ONNX Runtime threads. moto's own CPU caps throughput on a 2-core box, so besides jobs/s the
table reports each worker process's own CPU time per job (from wait4's rusage), and compares it
with `classify`'s CPU per image on the same files read locally (the cost of classification alone).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3

from bench_support import AWS_TEST_ENV, ROOT, photos, start_moto



def run_child(command: list[str], env: dict) -> tuple[float, float, int]:
    """Runs a command to completion; returns (wall seconds, own CPU seconds, status)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-3000:])
    return wall, usage.ru_utime + usage.ru_stime, process.returncode


def run_worker(name: str, command_for, endpoint: str, images, env) -> dict:
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    sqs = session.client("sqs", endpoint_url=endpoint)
    s3 = session.client("s3", endpoint_url=endpoint)
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    names = {"req": f"{prefix}-req", "resp": f"{prefix}-resp", "dlq": f"{prefix}-dlq",
             "in": f"{prefix}-in", "out": f"{prefix}-out"}
    dlq = sqs.create_queue(QueueName=names["dlq"])["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    request = sqs.create_queue(QueueName=names["req"], Attributes={
        "VisibilityTimeout": "60", "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})})
    response = sqs.create_queue(QueueName=names["resp"])["QueueUrl"]
    s3.create_bucket(Bucket=names["in"])
    s3.create_bucket(Bucket=names["out"])
    job_id = uuid.uuid4().hex
    bodies = []
    for file_name, data in images:
        image_id = uuid.uuid4().hex
        key = f"uploads/{job_id}/{image_id}/{file_name}"
        s3.put_object(Bucket=names["in"], Key=key, Body=data)
        bodies.append(json.dumps({"v": 1, "jobId": job_id, "imageId": image_id, "bucket": names["in"], "key": key,
                                  "fileName": file_name, "submittedAt": int(time.time() * 1000)}))
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=request["QueueUrl"], Entries=[
            {"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + 10])])
    wall, cpu, status = run_child(command_for(endpoint, names), env)
    # The worker idles for max-empty-polls (2 x 1 s) before exiting: not part of the work.
    busy = max(wall - 2.0, 0.001)
    results = set()
    while True:
        batch = sqs.receive_message(QueueUrl=response, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            break
        for message in batch:
            body = json.loads(message["Body"])
            if body.get("kind") != "heartbeat":  # our worker's liveness messages share the queue
                results.add(body["imageId"])
            sqs.delete_message(QueueUrl=response, ReceiptHandle=message["ReceiptHandle"])
    return {"name": name, "jobs": len(results), "status": status, "wall": busy, "cpu": cpu}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating rounds per worker; medians are reported (the machine is shared)")
    parser.add_argument("--bin", required=True, help="directory with release apptier and classify")
    parser.add_argument("--worker-set", action="append", default=[], metavar="KEY=VALUE",
                        help="extra --set overrides for our worker (repeatable)")
    args = parser.parse_args()
    env = dict(os.environ, **AWS_TEST_ENV)
    images = photos(args.images)
    profile = os.environ.get("APPTIER_PERF_RECORD")  # a perf.data path: profile our worker (first round)

    def ours(endpoint, n, record=False):
        return (["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", profile, "--"] if record else []) + [
            f"{args.bin}/apptier", "--endpoint", endpoint,
            "--set", f"queues.requestQueue={n['req']}", "--set", f"queues.responseQueue={n['resp']}",
            "--set", f"queues.deadLetterQueue={n['dlq']}", "--set", f"storage.inputBucket={n['in']}",
            "--set", f"storage.outputBucket={n['out']}", "--set", "queues.longPollSeconds=1",
            "--set", "queues.visibilityTimeoutSeconds=60",
            "--set", "worker.maxEmptyPollsBeforeShutdown=2", "--set", "worker.statsIntervalSeconds=0",
            "--set", f"model.intraOpThreads={args.threads}", "--log-level", "warning"] + [
            flag for item in args.worker_set for flag in ("--set", item)]

    def python(endpoint, n, record=False):
        return [str(ROOT / ".venv/bin/python"), str(ROOT / "Benchmarks/reference/worker_reference.py"),
                "--endpoint", endpoint, "--request-queue", n["req"], "--response-queue", n["resp"],
                "--output-bucket", n["out"], "--threads", str(args.threads), "--wait", "1", "--max-empty-polls", "2"]

    workers = {"apptier (Swift)": ours, "reference (Python, boto3)": python}
    runs = {name: [] for name in workers}
    idle = {name: [] for name in workers}
    moto, endpoint = start_moto()
    try:
        for round_index in range(args.rounds):
            # Alternate who goes first, so that drift in the machine's load hits both alike.
            order = list(workers) if round_index % 2 == 0 else list(reversed(workers))
            for name in order:
                record = profile is not None and round_index == 0 and name == "apptier (Swift)"
                runs[name].append(run_worker(name, lambda e, n, f=workers[name], r=record: f(e, n, r),
                                             endpoint, images, env))
                # The same worker on an empty queue: start-up (model load, imports) plus the two
                # empty polls, which the steady-state figure leaves out.
                idle[name].append(run_worker(name, lambda e, n, f=workers[name]: f(e, n), endpoint, [], env)["cpu"])
    finally:
        moto.send_signal(signal.SIGTERM)
        moto.wait()

    classify_total, classify_one = [], []
    with tempfile.TemporaryDirectory() as directory:
        for file_name, data in images:
            (Path(directory) / file_name).write_bytes(data)
        single = Path(directory) / images[0][0]
        for _ in range(args.rounds):
            classify_total.append(run_child([f"{args.bin}/classify", "--json", "--threads", str(args.threads),
                                             directory], env)[1])
            classify_one.append(run_child([f"{args.bin}/classify", "--json", "--threads", str(args.threads),
                                           str(single)], env)[1])
    classify_ms = median(classify_total) / len(images) * 1000
    classify_steady_ms = (median(classify_total) - median(classify_one)) / (len(images) - 1) * 1000

    rows = {}
    for name in workers:
        done = min(run["jobs"] for run in runs[name])
        rows[name] = {
            "jobs": done,
            "rate": median([run["jobs"] / run["wall"] for run in runs[name]]),
            "cpu": median([run["cpu"] / max(run["jobs"], 1) * 1000 for run in runs[name]]),
            "steady": median([(run["cpu"] - idle_cpu) / max(run["jobs"], 1) * 1000
                              for run, idle_cpu in zip(runs[name], idle[name])]),
            "startup": median(idle[name]),
        }
    swift, reference = rows["apptier (Swift)"], rows["reference (Python, boto3)"]
    print(f"\napp tier: {args.images} real photos through one moto, EfficientNet-Lite0 fp32, "
          f"ONNX Runtime intra-op threads {args.threads}, medians of {args.rounds} alternating rounds\n")
    print("| worker | jobs done | jobs/s | own CPU ms/job | vs Python | vs classify | "
          "steady-state CPU ms/job | vs Python | vs classify | start-up + idle CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['jobs']}/{args.images} | {row['rate']:.1f} | {row['cpu']:.1f} | "
              f"{row['cpu'] / reference['cpu']:.2f} | {row['cpu'] / classify_ms:.2f} | {row['steady']:.1f} | "
              f"{row['steady'] / reference['steady']:.2f} | {row['steady'] / classify_steady_ms:.2f} | "
              f"{row['startup']:.2f} |")
    print(f"| classify (Swift, local files) | {args.images} | - | {classify_ms:.1f} | - | 1.00 | "
          f"{classify_steady_ms:.1f} | - | 1.00 | - |")
    print("\nown CPU: the whole process (start-up, model load, the 2 closing empty polls included) / jobs;"
          "\nsteady state: minus the same worker's run on an empty queue (classify: minus a one-image run).")
    if not swift["jobs"] or not reference["jobs"]:
        print("\na worker finished no job: see its output above")
        return 1
    print(f"\nthroughput ours/Python: {swift['rate'] / reference['rate']:.2f}x (goal >= 1.5x); "
          f"own CPU per job ours/Python: {swift['cpu'] / reference['cpu']:.2f} "
          f"(steady state {swift['steady'] / reference['steady']:.2f}; goal <= 0.5); "
          f"ours/classify: {swift['cpu'] / classify_ms:.2f} (steady state {swift['steady'] / classify_steady_ms:.2f}; goal <= 1.2)")
    return 0 if swift["jobs"] == args.images and reference["jobs"] == args.images else 1


if __name__ == "__main__":
    sys.exit(main())
