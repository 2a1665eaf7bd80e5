#!/usr/bin/env python3
"""Reference app-tier worker in Python: the original design (boto3 + Pillow + onnxruntime).

One loop: long-poll the request queue, download the image from S3, classify it with the
reference pipeline (classify_reference.py), store `fileName,label` and the JSON result in the
output bucket, send the result message, delete the job. Exits after --max-empty-polls empty polls.
Kept for scripts/bench-apptier, which runs it side by side with our `apptier` against one moto.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import socket
import sys
import time
from pathlib import Path

import boto3
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classify_reference as ref  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--request-queue", required=True)
    parser.add_argument("--response-queue", required=True)
    parser.add_argument("--output-bucket", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--wait", type=int, default=1)
    parser.add_argument("--max-empty-polls", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")

    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    sqs = session.client("sqs", endpoint_url=args.endpoint)
    s3 = session.client("s3", endpoint_url=args.endpoint)
    request_url = sqs.get_queue_url(QueueName=args.request_queue)["QueueUrl"]
    response_url = sqs.get_queue_url(QueueName=args.response_queue)["QueueUrl"]
    classifier = ref.ReferenceClassifier(threads=args.threads)
    labels = ref.load_labels()
    worker = f"python-{socket.gethostname()}-{os.getpid()}"

    empty = 0
    while empty < args.max_empty_polls:
        messages = sqs.receive_message(QueueUrl=request_url, MaxNumberOfMessages=1,
                                       WaitTimeSeconds=args.wait).get("Messages", [])
        if not messages:
            empty += 1
            continue
        empty = 0
        for message in messages:
            job = json.loads(message["Body"])
            started = time.perf_counter()
            body = s3.get_object(Bucket=job["bucket"], Key=job["key"])["Body"].read()
            tensor = ref.preprocess_image(ref.decode(io.BytesIO(body)))
            probabilities = ref.softmax(classifier.logits(tensor[np.newaxis])[0])
            top5 = ref.top_k(probabilities, labels, 5)
            result = {"v": 1, "jobId": job["jobId"], "imageId": job["imageId"], "fileName": job["fileName"],
                      "label": top5[0]["label"], "top5": [{"label": p["label"], "score": p["score"]} for p in top5],
                      "model": "efficientnet-lite0", "worker": worker,
                      "inferenceMs": (time.perf_counter() - started) * 1000}
            s3.put_object(Bucket=args.output_bucket, Key=job["key"], Body=f"{job['fileName']},{result['label']}")
            s3.put_object(Bucket=args.output_bucket, Key=f"results/{job['jobId']}/{job['imageId']}.json",
                          Body=json.dumps(result))
            sqs.send_message(QueueUrl=response_url, MessageBody=json.dumps(result))
            sqs.delete_message(QueueUrl=request_url, ReceiptHandle=message["ReceiptHandle"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
