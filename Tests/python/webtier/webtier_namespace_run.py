"""Runs `webtier` exactly as a new user runs `swift run webtier`: no flags, a clean environment
(no AWS variables, HOME an empty directory), from the checkout, so that it reads Config/local.json
and starts its own moto. Meant to run inside a fresh network namespace with only loopback
(`unshare -rn`), where every non-loopback connection fails, and where the instance-metadata
address 169.254.169.254 is put on loopback with a listener that records any connection to it:
a process that reaches for instance metadata is caught, not merely refused.

    unshare -rn python webtier_namespace_run.py MODE BIN_DIR ROOT WORK_DIR [PHOTO]

MODE `serve`: start, GET /healthz, POST one photo to `/`, SIGTERM, report.
MODE `crash`: start without the autoscaler, SIGKILL the web tier, report whether its moto went too.
Prints one JSON object."""
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

METADATA_ADDRESS = "169.254.169.254"


def run(command):
    subprocess.run(command, check=True, capture_output=True)


class MetadataTrap:
    """Listens on the EC2 metadata address (port 80) and records every connection."""

    def __init__(self):
        self.connections = []
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((METADATA_ADDRESS, 80))
        self.socket.listen(16)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            client, peer = self.socket.accept()
            client.settimeout(2)
            try:
                first = client.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace")
            except OSError:
                first = ""
            self.connections.append({"peer": peer[0], "request": first})
            client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            client.close()


def multipart(field, name, data):
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return boundary, head + data + f"\r\n--{boundary}--\r\n".encode()


def request(url, data=None, headers=None, timeout=10):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}),
                                    timeout=timeout) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def alive(pid):
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until(condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def main():
    mode, bin_dir, root, work = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3], pathlib.Path(sys.argv[4])
    run(["ip", "link", "set", "lo", "up"])
    run(["ip", "addr", "add", f"{METADATA_ADDRESS}/32", "dev", "lo"])
    trap = MetadataTrap()
    home, temporary = work / "home", work / "tmp"
    home.mkdir()
    temporary.mkdir()
    # A new user's shell: a PATH and an empty HOME, nothing else (TMPDIR only keeps this run's
    # fleet registry and logs apart from other runs on the machine).
    environment = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(temporary)}
    arguments = [str(bin_dir / "webtier")] + (["--no-autoscaler"] if mode == "crash" else [])
    log_path = work / "webtier.log"
    with open(log_path, "w") as log:
        web = subprocess.Popen(arguments, cwd=root, env=environment, stdout=subprocess.PIPE, stderr=log, text=True)
    report = {"metadata_connections": trap.connections}
    listening = web.stdout.readline().strip()
    report["listening"] = listening
    log_text = lambda: log_path.read_text(errors="replace")
    moto = re.search(r"pid=(\d+)", next((line for line in log_text().splitlines() if "started moto" in line), ""))
    report["moto_pid"] = int(moto.group(1)) if moto else None
    if listening.startswith("LISTENING "):
        url = f"http://127.0.0.1:{listening.split()[1]}"
        if mode == "serve":
            report["healthz"] = request(url + "/healthz")
            photo = pathlib.Path(sys.argv[5])
            boundary, body = multipart("myfile", photo.name, photo.read_bytes())
            report["classified"] = request(url + "/", data=body, timeout=600,
                                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
            web.send_signal(signal.SIGTERM)
        else:
            report["healthz"] = request(url + "/healthz")
            web.send_signal(signal.SIGKILL)
    else:
        web.send_signal(signal.SIGTERM)
    try:
        report["webtier_exit"] = web.wait(timeout=180)
    except subprocess.TimeoutExpired:
        web.kill()
        report["webtier_exit"] = web.wait()
    if report["moto_pid"]:
        report["moto_gone"] = wait_until(lambda: not alive(report["moto_pid"]), 30)
        if not report["moto_gone"]:
            os.kill(report["moto_pid"], signal.SIGKILL)  # the test fails; leave nothing behind
    report["log"] = log_text()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
