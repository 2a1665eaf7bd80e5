"""Hostile images through the public port, classified by the real workers: each is refused at
intake (413/415 with a reason) or accepted and answered with a failed result that says why;
a real photo in the same request still gets its label; the web tier and its workers live on.
And the ledger's check: every image accepted during the attacks has its labelled result."""
import time

from hostile_images import NOT_AN_IMAGE, png_dimension_bomb, progressive_scan_bomb, truncated_jpeg
from hostile_ledger import PHOTOS, post_files, wait_for_results
from hostile_measure import CaseResult, Measurement

RESULT_TIMEOUT_SECONDS = 300


def hostile_files() -> list[tuple[str, bytes]]:
    jpeg = next(path for path in PHOTOS if path.suffix.lower() in (".jpg", ".jpeg"))
    return [("bomb.png", png_dimension_bomb()), ("truncated.jpg", truncated_jpeg(jpeg.read_bytes())),
            ("scan-bomb.jpg", progressive_scan_bomb()), ("not-an-image.jpg", NOT_AN_IMAGE)]


def hostile_images(run) -> CaseResult:
    result = CaseResult("hostile images through the public port")
    system = run.system
    photo = PHOTOS[0]
    files = hostile_files()
    with Measurement(system, run.limits, result):
        workers_seen = set(system.web.workers())
        status, alone = post_files(system.port, [("not-an-image.jpg", NOT_AN_IMAGE)])
        if status != 415 or not alone.get("rejected") or not alone["rejected"][0].get("reason"):
            result.failures.append(f"a lone non-image was answered {status} {alone}, not 415 with a reason")
        status, body = post_files(system.port, files + [(photo.name, photo.read_bytes())])
        if status != 202:
            result.failures.append(f"the hostile request was answered {status}: {body}")
            return result
        refused = {entry["fileName"]: entry["reason"] for entry in body["rejected"]}
        accepted = {image["imageId"]: image["fileName"] for image in body["images"]}
        deadline = time.monotonic() + RESULT_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            workers_seen |= set(system.web.workers())
            statuses = wait_for_results(system.port, [body["jobId"]], 2)
            if (statuses[body["jobId"]] or {}).get("complete"):
                break
        job = statuses[body["jobId"]] or {"results": [], "complete": False}
        results = {entry["imageId"]: entry for entry in job["results"]}
        for name, _ in files:
            image_id = next((key for key, value in accepted.items() if value == name), None)
            if name in refused:
                result.notes.append(f"{name}: refused at intake ({refused[name]})")
            elif image_id is None:
                result.failures.append(f"{name}: neither accepted nor refused")
            elif not (results.get(image_id) or {}).get("error"):
                result.failures.append(f"{name}: {results.get(image_id) or 'no result'}, not a failed result with a reason")
            else:
                result.notes.append(f"{name}: failed ({results[image_id]['error']})")
        photo_id = next((key for key, value in accepted.items() if value == photo.name), None)
        if not (results.get(photo_id) or {}).get("label"):
            result.failures.append(f"the real photo beside them got {results.get(photo_id) or 'no result'}")
        gone = sorted(pid for pid in workers_seen if pid not in set(system.web.workers()))
        if not workers_seen:
            result.failures.append("no worker ran: the images were never classified")
        if gone:
            result.failures.append(f"workers {gone} died while classifying the hostile images")
    return result


def nothing_accepted_is_lost(run) -> CaseResult:
    result = CaseResult("nothing accepted is lost")
    with Measurement(run.system, run.limits, result):
        lost = run.ledger.lost(run.system.port, RESULT_TIMEOUT_SECONDS)
        result.notes.append(f"{len(run.ledger.accepted)} photos accepted during the attacks")
        if not run.ledger.accepted:
            result.failures.append("no photo was accepted during the attacks: nothing was checked")
        if lost:
            result.failures.append(f"{len(lost)} accepted photos without a labelled result: {lost[:5]}")
    return result
