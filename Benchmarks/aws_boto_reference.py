"""The botocore/boto3 side of the AWS benchmark (scripts/bench-aws); AWSBench runs it.

    aws_boto_reference.py sign --cases FILE --seconds S
        signs the cases (format of Tests/python/aws/aws_sigv4_reference.py) round-robin with
        SigV4Auth / S3SigV4Auth for S seconds; prints {"signatures": n, "seconds": t} (thread CPU seconds)
    aws_boto_reference.py sqs --endpoint URL --queue NAME --iterations N --warmup W
        send + receive + delete round trips; prints {"latencies": [seconds, ...]}
    aws_boto_reference.py s3 --endpoint URL --bucket NAME --size BYTES --iterations N --warmup W
        put + get of one object; prints {"put": [...], "get": [...]}
"""
import argparse
import datetime
import json
import os
import sys
import time

os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def sign(args):
    import botocore.auth
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    with open(args.cases) as handle:
        cases = json.load(handle)["cases"]
    prepared = []
    for case in cases:
        request = AWSRequest(method=case["method"], url=case["url"], data=bytes.fromhex(case["body_hex"]))
        for name, value in case["headers"]:
            request.headers[name] = value
        signer_type = S3SigV4Auth if case["service"] == "s3" else SigV4Auth
        credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
        prepared.append((signer_type(credentials, case["service"], case["region"]), request))
    moment = datetime.datetime(2026, 11, 30, 12, 0, 0)
    botocore.auth.get_current_datetime = lambda: moment
    count = 0
    # CPU time of this thread (as the Swift side measures), so machine load does not skew the ratio.
    start = time.thread_time()
    while time.thread_time() - start < args.seconds:
        for signer, request in prepared:
            signer.add_auth(request)  # replaces the previous Authorization, as on a retry
        count += len(prepared)
    elapsed = time.thread_time() - start
    print(json.dumps({"signatures": count, "seconds": elapsed}))


def client(service, endpoint):
    import boto3
    from botocore.config import Config
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, s3={"addressing_style": "path"}))


def sqs(args):
    sqs_client = client("sqs", args.endpoint)
    queue_url = sqs_client.create_queue(QueueName=args.queue)["QueueUrl"]
    latencies = []
    for index in range(args.warmup + args.iterations):
        start = time.perf_counter()
        sqs_client.send_message(QueueUrl=queue_url, MessageBody='{"v":1,"jobId":"%d"}' % index)
        messages = []
        while not messages:
            messages = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1,
                                                  WaitTimeSeconds=1).get("Messages", [])
        sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=messages[0]["ReceiptHandle"])
        if index >= args.warmup:
            latencies.append(time.perf_counter() - start)
    print(json.dumps({"latencies": latencies}))


def s3(args):
    s3_client = client("s3", args.endpoint)
    s3_client.create_bucket(Bucket=args.bucket)
    body = bytes(i % 251 for i in range(args.size))
    puts, gets = [], []
    for index in range(args.warmup + args.iterations):
        start = time.perf_counter()
        s3_client.put_object(Bucket=args.bucket, Key="bench/object.bin", Body=body)
        middle = time.perf_counter()
        data = s3_client.get_object(Bucket=args.bucket, Key="bench/object.bin")["Body"].read()
        end = time.perf_counter()
        if len(data) != len(body):
            sys.exit("short read: %d of %d bytes" % (len(data), len(body)))
        if index >= args.warmup:
            puts.append(middle - start)
            gets.append(end - middle)
    print(json.dumps({"put": puts, "get": gets}))


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("sign")
    p.add_argument("--cases", required=True)
    p.add_argument("--seconds", type=float, default=2.0)
    p = commands.add_parser("sqs")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--queue", required=True)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--warmup", type=int, default=3)
    p = commands.add_parser("s3")
    p.add_argument("--endpoint", required=True)
    p.add_argument("--bucket", required=True)
    p.add_argument("--size", type=int, default=102400)
    p.add_argument("--iterations", type=int, default=50)
    p.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    {"sign": sign, "sqs": sqs, "s3": s3}[args.command](args)


if __name__ == "__main__":
    main()
