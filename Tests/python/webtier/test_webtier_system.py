"""The real `webtier` command end to end: moto, the web tier with its autoscaler launching real
`apptier` processes, and clients a user would use (headless Chromium on the real page, the
`websockets` library, urllib). Results are checked against the `classify` command on the same
files; a screenshot of the page with its results is saved under artifacts/."""
import asyncio
import json
import os
import pathlib
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from webtier_deployment import (ROOT, MODELS, Moto, WebTier, binary_directory, chromium_available,
                                needs_system, base_environment)

pytestmark = needs_system()
PHOTOS = sorted(p for p in (ROOT / "testdata/photos").glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


@pytest.fixture(scope="module")
def system():
    moto = Moto()
    web = WebTier(moto, binary_directory())
    yield web
    web.stop()
    moto.stop()


@pytest.fixture(scope="module")
def expected_labels():
    """The oracle: our classifier run directly on the photos."""
    output = subprocess.run(
        [str(binary_directory() / "classify"), "--json", "--model", str(MODELS / "efficientnet-lite0.onnx"),
         "--labels", str(ROOT / "Resources/imagenet-labels.json"), *map(str, PHOTOS)],
        capture_output=True, text=True, timeout=600, env=base_environment(), check=True).stdout
    return {pathlib.Path(entry["file"]).name: entry["label"]
            for entry in map(json.loads, filter(None, output.splitlines())) if "label" in entry}


def test_every_response_carries_the_security_headers(system):
    for path in ("/", "/api/config", "/healthz", "/does-not-exist", "/app.js"):
        try:
            response = urllib.request.urlopen(system.url + path, timeout=10)
        except urllib.error.HTTPError as error:
            response = error
        headers = response.headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'; img-src 'self' blob: data:; connect-src 'self'"), path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "no-referrer", path


def test_websocket_from_a_foreign_origin_is_refused(system):
    import websockets

    async def attempt(origin):
        try:
            async with websockets.connect(system.url.replace("http", "ws") + "/ws/fleet", origin=origin,
                                          open_timeout=10):
                return 101
        except websockets.exceptions.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(attempt("http://evil.example")) == 403
    assert asyncio.run(attempt(system.url)) == 101


def test_unknown_job_socket_gets_an_error_event(system):
    import websockets

    async def first_event():
        async with websockets.connect(system.url.replace("http", "ws") + "/ws?job=" + "0" * 32) as socket:
            return json.loads(await asyncio.wait_for(socket.recv(), 10))

    event = asyncio.run(first_event())
    assert event["type"] == "error" and event["code"] == "unknownJob"


# A mark on a helper does nothing: the tests that open a browser carry it.
needs_chromium = pytest.mark.skipif(not chromium_available(), reason="chromium and chromedriver are not installed")


def chromium():
    """Headless Chromium through the Debian chromedriver, kept off every network but loopback."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    import shutil

    options = Options()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1400",
                     "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


@needs_chromium
def test_page_shows_the_servers_reason_for_a_refused_file(system, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    fake = tmp_path / "holiday.jpg"
    fake.write_text("this is a text file wearing a .jpg name\n")
    browser = chromium()
    try:
        browser.get(system.url + "/")
        browser.find_element("id", "file-input").send_keys(str(fake))
        WebDriverWait(browser, 60, poll_frequency=0.3).until(lambda driver: driver.execute_script(
            "const c = document.querySelector('#result-grid .card'); return c && c.dataset.state === 'failed';"))
        status = browser.execute_script("return document.querySelector('#result-grid .card .status').textContent;")
    finally:
        browser.quit()
    # The server's own per-file reason (magic bytes), not just "HTTP 415".
    assert "Refused" in status and "JPEG" in status, status


@needs_chromium
def test_page_uploads_photos_and_renders_their_labels(system, expected_labels):
    from selenium.webdriver.support.ui import WebDriverWait

    assert PHOTOS, "no photos in testdata/photos (run scripts/setup)"
    browser = chromium()
    try:
        browser.get(system.url + "/")
        file_input = browser.find_element("id", "file-input")
        file_input.send_keys("\n".join(str(photo) for photo in PHOTOS))
        WebDriverWait(browser, 400, poll_frequency=0.5).until(lambda driver: driver.execute_script(
            "const cards = [...document.querySelectorAll('#result-grid .card')];"
            f"return cards.length === {len(PHOTOS)} && cards.every(c => c.dataset.state === 'done' || c.dataset.state === 'failed');"))
        cards = browser.execute_script(
            "return [...document.querySelectorAll('#result-grid .card')].map(c => ({"
            "name: c.querySelector('.file-name').textContent, state: c.dataset.state,"
            "status: c.querySelector('.status').textContent}));")
        # The fleet panel was fed by the autoscaler over /ws/fleet.
        WebDriverWait(browser, 30).until(lambda driver: driver.execute_script(
            "return document.getElementById('count-desired').textContent.trim() !== '–';"))
        artifacts = ROOT / "artifacts"
        artifacts.mkdir(exist_ok=True)
        browser.save_screenshot(str(artifacts / "webtier-page-results.png"))
        severe = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    finally:
        browser.quit()
    assert sorted(card["name"] for card in cards) == sorted(photo.name for photo in PHOTOS)
    for card in cards:
        assert card["state"] == "done", card
        assert card["status"] == expected_labels[card["name"]], card
    assert severe == [], severe


def test_300_uploads_of_1_mb_stay_under_100_mb_of_memory():
    """Parts are streamed to spool files and uploaded a few at a time: the web tier's peak RSS
    while taking 300 MB in one request stays far below the request's size."""
    moto = Moto()
    try:
        web = WebTier(moto, binary_directory(), {"scaling.maxInstances": "0"})
        try:
            pathlib.Path(f"/proc/{web.process.pid}/clear_refs").write_text("5")
            boundary = "memtest" + os.urandom(8).hex()
            header = bytes([0xFF, 0xD8, 0xFF, 0xE0])
            def body():
                for index in range(300):
                    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; "
                           f"filename=\"big-{index:03d}.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n").encode()
                    yield header + os.urandom((1 << 20) - len(header)) + b"\r\n"
                yield f"--{boundary}--\r\n".encode()
            length = sum(len(chunk) for chunk in body())
            request = urllib.request.Request(system_url := web.url + "/api/jobs", data=body(), method="POST", headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length)})
            with urllib.request.urlopen(request, timeout=600) as response:
                accepted = json.load(response)
            assert len(accepted["images"]) == 300, system_url
            status = pathlib.Path(f"/proc/{web.process.pid}/status").read_text()
            peak_kb = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1])
            assert peak_kb < 100 * 1024, f"peak RSS {peak_kb / 1024:.1f} MB"
        finally:
            web.stop()
    finally:
        moto.stop()


def test_sigterm_stops_the_web_tier_and_its_workers():
    moto = Moto()
    try:
        web = WebTier(moto, binary_directory(), {"scaling.minInstances": "1"})
        deadline = time.time() + 60
        workers = []
        while time.time() < deadline and not workers:
            workers = worker_pids(web.process.pid)
            time.sleep(0.5)
        assert workers, f"the autoscaler started no worker:\n{web.output()[-3000:]}"
        assert web.stop(timeout=60) == 0, web.output()[-3000:]
        time.sleep(0.5)
        alive = [pid for pid in workers if pathlib.Path(f"/proc/{pid}").exists()
                 and "Z" not in pathlib.Path(f"/proc/{pid}/stat").read_text().split()[2]]
        assert alive == [], f"workers still running after SIGTERM: {alive}"
    finally:
        moto.stop()


def worker_pids(parent: int) -> list[int]:
    """`apptier` processes whose parent is the web tier."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")[0]
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == parent and cmdline.endswith(b"apptier"):
            pids.append(int(entry.name))
    return pids
