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
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
PHOTO_DIRS = [ROOT / "testdata/photos", ROOT.parent / "shared/photos"]


def photos(count: int) -> list[tuple[str, bytes]]:
    found = []
    for directory in PHOTO_DIRS:
        if directory.is_dir():
            found += [(p.name, p.read_bytes()) for p in sorted(directory.iterdir())
                      if p.suffix.lower() in (".jpg", ".jpeg", ".png")]
    if not found:
        sys.exit("no photos: run scripts/setup")
    return [(f"{i:03d}-{found[i % len(found)][0]}", found[i % len(found)][1]) for i in range(count)]


def start_moto() -> tuple[subprocess.Popen, str]:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(ROOT / ".venv/bin/moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request
    for _ in range(200):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
            return process, endpoint
        except OSError:
            time.sleep(0.05)
    process.kill()
    sys.exit("moto did not start")


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
            results.add(json.loads(message["Body"])["imageId"])
            sqs.delete_message(QueueUrl=response, ReceiptHandle=message["ReceiptHandle"])
    return {"name": name, "jobs": len(results), "status": status, "wall": busy, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bin", required=True, help="directory with release apptier and classify")
    parser.add_argument("--worker-set", action="append", default=[], metavar="KEY=VALUE",
                        help="extra --set overrides for our worker (repeatable)")
    args = parser.parse_args()
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true", AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    images = photos(args.images)
    moto, endpoint = start_moto()
    try:
        profile = os.environ.get("APPTIER_PERF_RECORD")  # a perf.data path: profile our worker
        ours = run_worker("apptier (Swift)", lambda endpoint, n: (
            ["perf", "record", "-e", "cpu-clock", "-F", "999", "-g", "-o", profile, "--"] if profile else []) + [
            f"{args.bin}/apptier", "--endpoint", endpoint,
            "--set", f"queues.requestQueue={n['req']}", "--set", f"queues.responseQueue={n['resp']}",
            "--set", f"queues.deadLetterQueue={n['dlq']}", "--set", f"storage.inputBucket={n['in']}",
            "--set", f"storage.outputBucket={n['out']}", "--set", "queues.longPollSeconds=1",
            "--set", "queues.visibilityTimeoutSeconds=60",
            "--set", "worker.maxEmptyPollsBeforeShutdown=2", "--set", "worker.statsIntervalSeconds=0",
            "--set", f"model.intraOpThreads={args.threads}", "--log-level", "warning"]
            + [flag for item in args.worker_set for flag in ("--set", item)], endpoint, images, env)
        python = run_worker("reference (Python, boto3)", lambda endpoint, n: [
            str(ROOT / ".venv/bin/python"), str(ROOT / "Benchmarks/reference/worker_reference.py"),
            "--endpoint", endpoint, "--request-queue", n["req"], "--response-queue", n["resp"],
            "--output-bucket", n["out"], "--threads", str(args.threads), "--wait", "1",
            "--max-empty-polls", "2"], endpoint, images, env)
    finally:
        moto.send_signal(signal.SIGTERM)
        moto.wait()

    with tempfile.TemporaryDirectory() as directory:
        for file_name, data in images:
            (Path(directory) / file_name).write_bytes(data)
        _, classify_cpu, _ = run_child([f"{args.bin}/classify", "--json", "--threads", str(args.threads),
                                        directory], env)
    per_image_classify = classify_cpu / len(images) * 1000

    print(f"\napp tier: {args.images} real photos through one moto, EfficientNet-Lite0 fp32, "
          f"ONNX Runtime intra-op threads {args.threads}\n")
    print(f"| worker | jobs done | jobs/s | own CPU ms/job | vs Python CPU | vs classify CPU |")
    print(f"|---|---|---|---|---|---|")
    for row in (ours, python):
        cpu_per_job = row["cpu"] / max(row["jobs"], 1) * 1000
        print(f"| {row['name']} | {row['jobs']}/{args.images} | {row['jobs'] / row['wall']:.1f} | "
              f"{cpu_per_job:.1f} | {cpu_per_job / (python['cpu'] / max(python['jobs'], 1) * 1000):.2f}x | "
              f"{cpu_per_job / per_image_classify:.2f}x |")
    print(f"| classify (Swift, local files) | {args.images} | - | {per_image_classify:.1f} | - | 1.00x |")
    if not ours["jobs"] or not python["jobs"]:
        print("\na worker finished no job: see its output above")
        return 1
    ratio = (ours["jobs"] / ours["wall"]) / (python["jobs"] / python["wall"])
    print(f"\nthroughput ratio ours/Python: {ratio:.2f}x (goal >= 1.5x); "
          f"own CPU per job ours/Python: {(ours['cpu'] / ours['jobs']) / (python['cpu'] / python['jobs']):.2f} "
          f"(goal <= 0.5); ours/classify: {(ours['cpu'] / ours['jobs'] * 1000) / per_image_classify:.2f} (goal <= 1.2)")
    return 0 if ours["jobs"] == args.images and python["jobs"] == args.images else 1


if __name__ == "__main__":
    sys.exit(main())
