"""The original design's web tier, for scripts/bench-webtier: Flask's threaded development server
and boto3. `POST /api/jobs` takes the files in field `files`, checks the extension, puts each
image in S3 and sends one SQS message per image (as the original did), and answers 202 with the
same JSON shape as ours. No magic-byte check, no manifest, no streaming limits: this is the
baseline the Swift web tier is compared with, not a second implementation to maintain."""
import argparse
import json
import logging
import os
import time
import uuid

import boto3
from flask import Flask, jsonify, request

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--endpoint", required=True)
parser.add_argument("--input-bucket", required=True)
parser.add_argument("--queue", required=True)
args = parser.parse_args()

session = boto3.session.Session(region_name="us-east-1")
s3 = session.client("s3", endpoint_url=args.endpoint)
sqs = session.client("sqs", endpoint_url=args.endpoint)
s3.create_bucket(Bucket=args.input_bucket)
queue_url = sqs.create_queue(QueueName=args.queue)["QueueUrl"]
ALLOWED = {"jpg", "jpeg", "png"}

app = Flask(__name__)


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
    return jsonify({"jobId": job_id, "images": images, "rejected": rejected}), 202


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(f"LISTENING {args.port}", flush=True)
    app.run(host="127.0.0.1", port=args.port, threaded=True)
