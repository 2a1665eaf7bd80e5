""""Nothing already accepted is lost": real photos uploaded by an ordinary client while the attacks
run, every image the web tier accepted (202) written down, and at the end each one must have a
result with a label, classified by the real workers."""
import contextlib
import http.client
import json
import os
import pathlib
import threading
import time

from hostile_system import ROOT

TESTDATA = pathlib.Path(os.environ.get("ELASTIC_TESTDATA_DIR", ROOT / "testdata"))
PHOTOS = sorted(path for path in (TESTDATA / "photos").glob("*") if path.suffix.lower() in (".jpg", ".jpeg", ".png"))


def post_files(port: int, files: list[tuple[str, bytes]], source: str = "127.0.0.4",
               timeout: float = 60) -> tuple[int, dict]:
    """POST /api/jobs with `files` as (name, content); the status and the JSON body."""
    boundary = "hostile" + os.urandom(8).hex()
    body = b"".join(
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
        f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n" for name, content in files)
    body += f"--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        connection.request("POST", "/api/jobs", body=body,
                           headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = connection.getresponse()
        text = response.read()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, {"message": text.decode(errors="replace")}
    finally:
        connection.close()


def job_status(port: int, job_id: str) -> dict | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=("127.0.0.4", 0))
    try:
        connection.request("GET", f"/api/jobs/{job_id}")
        response = connection.getresponse()
        body = response.read()
        return json.loads(body) if response.status == 200 else None
    except OSError:
        return None
    finally:
        connection.close()


def wait_for_results(port: int, job_ids, timeout: float) -> dict:
    """Each job's last status (None when it could not be read), once all are complete or at `timeout`."""
    statuses = {job_id: None for job_id in job_ids}
    deadline = time.monotonic() + timeout
    while True:
        for job_id, status in statuses.items():
            if status is None or not status["complete"]:
                statuses[job_id] = job_status(port, job_id)
        if all(status and status["complete"] for status in statuses.values()) or time.monotonic() > deadline:
            return statuses
        time.sleep(0.5)


class Ledger:
    def __init__(self):
        self.accepted: list[tuple[str, str, str]] = []  # job id, image id, file name
        self.next_photo = 0
        self.lock = threading.Lock()

    def upload_photos(self, port: int, count: int, result) -> None:
        with self.lock:
            chosen = [PHOTOS[(self.next_photo + index) % len(PHOTOS)] for index in range(count)]
            self.next_photo += count
        try:
            status, body = post_files(port, [(path.name, path.read_bytes()) for path in chosen])
        except OSError as error:
            result.notes.append(f"photo upload failed: {error}")
            return
        if status != 202:
            result.notes.append(f"photo upload answered {status}: {body.get('message')}")
            return
        with self.lock:
            self.accepted += [(body["jobId"], image["imageId"], image["fileName"]) for image in body["images"]]
        result.notes.append(f"{len(body['images'])} photos accepted during the attack")

    @contextlib.contextmanager
    def uploading(self, port: int, count: int, result):
        """Uploads `count` photos from another address while the block runs."""
        uploader = threading.Thread(target=self.upload_photos, args=(port, count, result))
        uploader.start()
        try:
            yield
        finally:
            uploader.join()

    def any_job_id(self) -> str | None:
        with self.lock:
            return self.accepted[0][0] if self.accepted else None

    def lost(self, port: int, timeout: float) -> list[str]:
        """Accepted images without a labelled result after `timeout`."""
        statuses = wait_for_results(port, {job for job, _, _ in self.accepted}, timeout)
        missing = []
        for job_id, image_id, file_name in self.accepted:
            results = {entry["imageId"]: entry for entry in (statuses[job_id] or {}).get("results", [])}
            entry = results.get(image_id)
            if entry is None or not entry.get("label"):
                missing.append(f"{file_name} (job {job_id}): {entry.get('error') if entry else 'no result'}")
        return missing
