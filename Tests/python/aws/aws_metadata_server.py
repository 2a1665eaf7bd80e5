"""A loopback EC2 instance-metadata service (IMDSv2) for the credentials and IMDS tests
(a helper, not a test).

    python aws_metadata_server.py --role app-role --credential-lifetime 3600 --instance-id i-0abc --region eu-west-1

Prints "READY <port>". Tokens come from PUT /latest/api/token and must carry a TTL header
(1..21600, else 400); GETs need a live token (else 401). Each credentials fetch issues a new
key (ASIAFAKE0001, 0002, ...). GET /__log lists the requests; POST /__expire-tokens makes every
issued token invalid (as after a metadata-service restart).
"""
import argparse
import datetime
import http.server
import json
import secrets
import threading
import time

LOCK = threading.Lock()
STATE = {"tokens": {}, "log": [], "issued": 0}
ARGS = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="text/plain"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, outcome):
        with LOCK:
            STATE["log"].append({
                "method": self.command, "path": self.path, "outcome": outcome,
                "ttl": self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"),
            })

    def do_PUT(self):
        if self.path != "/latest/api/token":
            self.record("404")
            return self.reply(404, "not found")
        ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
        if ttl is None or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            self.record("bad-ttl")
            return self.reply(400, "missing or invalid X-aws-ec2-metadata-token-ttl-seconds")
        token = secrets.token_urlsafe(24)
        with LOCK:
            STATE["tokens"][token] = time.time() + int(ttl)
        self.record("token")
        self.reply(200, token)

    def do_POST(self):
        if self.path == "/__expire-tokens":
            with LOCK:
                STATE["tokens"].clear()
            return self.reply(200, "{}")
        self.reply(404, "not found")

    def do_GET(self):
        if self.path == "/__log":
            with LOCK:
                body = json.dumps({"log": STATE["log"], "issued": STATE["issued"]})
            return self.reply(200, body, "application/json")
        token = self.headers.get("X-aws-ec2-metadata-token")
        with LOCK:
            expiry = STATE["tokens"].get(token)
        if expiry is None or expiry < time.time():
            self.record("401")
            return self.reply(401, "")
        routes = {
            "/latest/meta-data/instance-id": lambda: (200, ARGS.instance_id),
            "/latest/meta-data/placement/region": lambda: (200, ARGS.region),
            "/latest/dynamic/instance-identity/document": self.identity_document,
            "/latest/meta-data/iam/security-credentials/": lambda: (200, ARGS.role + "\n") if ARGS.role else (404, ""),
            "/latest/meta-data/iam/security-credentials/" + (ARGS.role or "-"): self.role_credentials,
        }
        route = routes.get(self.path)
        if route is None:
            self.record("404")
            return self.reply(404, "not found")
        status, body = route()
        self.record(str(status))
        self.reply(status, body)

    def identity_document(self):
        if ARGS.no_identity_document:
            return 404, ""
        return 200, json.dumps({"instanceId": ARGS.instance_id, "region": ARGS.region,
                                "availabilityZone": ARGS.region + "a", "instanceType": "t3.micro"})

    def role_credentials(self):
        with LOCK:
            STATE["issued"] += 1
            serial = STATE["issued"]
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        expiration = now + datetime.timedelta(seconds=ARGS.credential_lifetime)
        return 200, json.dumps({
            "Code": "Success", "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "Type": "AWS-HMAC",
            "AccessKeyId": "ASIAFAKE%04d" % serial, "SecretAccessKey": "secret-%d" % serial,
            "Token": "token-%d" % serial, "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        })


def main():
    global ARGS
    parser = argparse.ArgumentParser()
    parser.add_argument("--role", default="app-role")
    parser.add_argument("--credential-lifetime", type=int, default=3600)
    parser.add_argument("--instance-id", default="i-0123456789abcdef0")
    parser.add_argument("--region", default="eu-west-1")
    parser.add_argument("--no-identity-document", action="store_true")
    ARGS = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("READY %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
