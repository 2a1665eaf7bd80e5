"""botocore's SigV4 signers as a reference for the Swift differential test (a helper, not a test).

Reads one JSON document from stdin: {"cases": [...]}, each case
    {"service", "region", "method", "url", "headers": [[name, value], ...], "body_hex",
     "access_key", "secret_key", "token" (or null), "timestamp": "YYYYMMDDTHHMMSSZ",
     "unsigned_payload": bool}
signs every case with SigV4Auth (S3SigV4Auth for service "s3") at that timestamp, all in this
one process, and writes {"results": [{"canonical_request", "string_to_sign", "authorization",
"headers": [[name, value], ...]}, ...]} to stdout.
"""
import datetime
import json
import sys

import botocore.auth
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def recording(base):
    class Recording(base):
        def string_to_sign(self, request, canonical_request):
            self.canonical_request = canonical_request
            self.last_string_to_sign = super().string_to_sign(request, canonical_request)
            return self.last_string_to_sign
    return Recording


RECORDING = {"s3": recording(S3SigV4Auth), "other": recording(SigV4Auth)}


def sign(case):
    moment = datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
    # botocore reads the clock inside add_auth; pin it to the case's timestamp.
    botocore.auth.get_current_datetime = lambda: moment
    credentials = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    request = AWSRequest(method=case["method"], url=case["url"], data=bytes.fromhex(case["body_hex"]))
    for name, value in case["headers"]:
        request.headers[name] = value  # HTTPHeaders appends, so repeats are kept in order
    is_s3 = case["service"] == "s3"
    if case.get("unsigned_payload"):
        if is_s3:
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
        else:
            request.context["payload_signing_enabled"] = False
    signer = RECORDING["s3" if is_s3 else "other"](credentials, case["service"], case["region"])
    signer.add_auth(request)
    return {
        "canonical_request": signer.canonical_request,
        "string_to_sign": signer.last_string_to_sign,
        "authorization": request.headers["Authorization"],
        "headers": [[k, v] for k, v in request.headers.items()],
    }


def main():
    document = json.load(sys.stdin)
    results = [sign(case) for case in document["cases"]]
    json.dump({"results": results}, sys.stdout)


if __name__ == "__main__":
    main()
