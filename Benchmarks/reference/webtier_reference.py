"""The original design's web tier, for scripts/bench-webtier: Flask's threaded development server
and boto3. `POST /api/jobs` takes the files in field `files`, checks the extension, puts each
image in S3 and sends one SQS message per image (as the original did), and answers 202 with the
same JSON shape as ours. No magic-byte check, no manifest, no streaming limits: this is the
baseline the Swift web tier is compared with, not a second implementation to maintain.

With --response-queue (scripts/bench-e2e) it also does what the original design's web tier did
with results: one thread long-polls the response queue and keeps each image's result in memory,
and `GET /api/jobs/<id>` answers the job's results so far in our JSON shape (`results` with
`imageId` and `completedAt`, `complete`)."""
import argparse
import json
import logging
import os
import threading
import time
import uuid

import boto3
from flask import Flask, jsonify, request

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--endpoint", required=True)
parser.add_argument("--input-bucket", required=True)
parser.add_argument("--queue", required=True)
parser.add_argument("--response-queue", help="poll this queue for results and serve them on GET /api/jobs/<id>")
args = parser.parse_args()

session = boto3.session.Session(region_name="us-east-1")
s3 = session.client("s3", endpoint_url=args.endpoint)
sqs = session.client("sqs", endpoint_url=args.endpoint)
s3.create_bucket(Bucket=args.input_bucket)
queue_url = sqs.create_queue(QueueName=args.queue)["QueueUrl"]
response_url = sqs.create_queue(QueueName=args.response_queue)["QueueUrl"] if args.response_queue else None
ALLOWED = {"jpg", "jpeg", "png"}
jobs_lock = threading.Lock()
jobs: dict[str, dict] = {}  # jobId -> {"images": set of imageIds, "results": {imageId: result}}

app = Flask(__name__)


def poll_results(url: str) -> None:
    """The original design's result loop: receive, remember, delete; forever."""
    client = session.client("sqs", endpoint_url=args.endpoint)
    while True:
        for message in client.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                              WaitTimeSeconds=1).get("Messages", []):
            result = json.loads(message["Body"])
            if "imageId" in result:  # not a worker's heartbeat
                result["completedAt"] = int(time.time() * 1000)
                with jobs_lock:
                    job = jobs.setdefault(result["jobId"], {"images": set(), "results": {}})
                    job["results"].setdefault(result["imageId"], result)
            client.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@app.get("/api/jobs/<job_id>")
def job_status(job_id):
    with jobs_lock:
        job = jobs.get(job_id)
        if job is None:
            return jsonify({"error": "no such job"}), 404
        results = list(job["results"].values())
        complete = job["images"] <= job["results"].keys()
    return jsonify({"jobId": job_id, "results": results, "complete": complete})


@app.get("/healthz")
def health():
    return "ok\n"


@app.post("/api/jobs")
def intake():
    job_id = uuid.uuid4().hex
    submitted = int(time.time() * 1000)
    images, rejected = [], []
    for index, storage in enumerate(request.files.getlist("files")):
        name = os.path.basename(storage.filename or "image")
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in ALLOWED:
            rejected.append({"index": index, "fileName": name, "reason": f"extension .{extension} is not accepted"})
            continue
        image_id = uuid.uuid4().hex
        key = f"uploads/{job_id}/{image_id}/{name}"
        s3.put_object(Bucket=args.input_bucket, Key=key, Body=storage.stream.read(), ContentType=storage.mimetype)
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({
            "v": 1, "jobId": job_id, "imageId": image_id, "bucket": args.input_bucket, "key": key,
            "fileName": name, "submittedAt": submitted}))
        images.append({"index": index, "imageId": image_id, "fileName": name})
    with jobs_lock:
        jobs.setdefault(job_id, {"images": set(), "results": {}})["images"].update(i["imageId"] for i in images)
    return jsonify({"jobId": job_id, "images": images, "rejected": rejected}), 202


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    if response_url:
        threading.Thread(target=poll_results, args=(response_url,), daemon=True).start()
    print(f"LISTENING {args.port}", flush=True)
    app.run(host="127.0.0.1", port=args.port, threaded=True)
