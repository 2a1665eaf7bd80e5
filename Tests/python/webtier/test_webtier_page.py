"""The page a user keeps open, in real headless Chromium against the real web tier with its local
fleet of real `apptier` workers: a 20-photo job watched while the fleet scales out and until it
is finished, at desktop and phone widths. Each state is screenshotted (PNGs under a temporary
directory, named in the output), checked for layout in the page (no horizontal overflow; every
label the fleet chart draws inside its canvas) and for accessibility with axe-core run in the page
(no serious or critical violation). Then the features around the results: the CSV/JSON
downloads (parsed with Python's csv), sorting, search, the viewer, the history a reload reopens,
and cancelling an upload."""
import base64
import csv
import importlib.util
import io
import json
import pathlib
import shutil
import tempfile
import time
import urllib.request

import pytest

from webtier_deployment import ROOT, Moto, WebTier, binary_directory, chromium, chromium_available, needs_system

pytestmark = [needs_system(),
              pytest.mark.skipif(not chromium_available(), reason="chromium and chromedriver are not installed")]
PHOTOS = sorted(p for p in (ROOT / "testdata/photos").glob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
DESKTOP = (1280, 900)
PHONE = (390, 844)
# Names a spreadsheet would run as formulas, or that need CSV quoting: file names come from users.
HOSTILE_PREFIXES = ["=SUM(1,2) ", "+1 ", "-rocket, big ", "@home "]

# Records every text the page draws on a canvas, with its box in canvas pixels (measureText's
# actual bounding box, which already accounts for textAlign and textBaseline, mapped through the
# current transform). Installed before the page's own scripts run.
RECORD_CANVAS_TEXT = """
window.__canvasText = [];
const fillText = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
  const m = this.measureText(text);
  const t = this.getTransform();
  const left = x - m.actualBoundingBoxLeft, right = x + m.actualBoundingBoxRight;
  const top = y - m.actualBoundingBoxAscent, bottom = y + m.actualBoundingBoxDescent;
  window.__canvasText.push({ text: String(text), canvas: this.canvas.id,
    left: t.a * left + t.e, right: t.a * right + t.e, top: t.d * top + t.f, bottom: t.d * bottom + t.f,
    width: this.canvas.width, height: this.canvas.height });
  if (window.__canvasText.length > 2000) window.__canvasText.splice(0, 1000);
  return fillText.call(this, text, x, y, ...rest);
};
"""

LAYOUT_PROBLEMS = """
const problems = [];
const width = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > innerWidth) {
  problems.push(`page scrolls sideways: scrollWidth ${document.documentElement.scrollWidth} > ${innerWidth}`);
}
for (const element of document.querySelectorAll('body *')) {
  // Not rendered: templates, hidden elements, a closed dialog, a closed disclosure's content.
  if (element.closest('template, [hidden], dialog:not([open]), .skip-link, details:not([open]) > :not(summary)')) continue;
  const style = getComputedStyle(element);
  if (style.display === 'none' || style.visibility === 'hidden') continue;
  const box = element.getBoundingClientRect();
  if (box.width === 0 && box.height === 0) continue;
  const name = `${element.tagName.toLowerCase()}#${element.id}.${element.className}`;
  if (box.left < -0.5 || box.right > width + 0.5) {
    problems.push(`${name} spans ${box.left.toFixed(1)}..${box.right.toFixed(1)} of ${width}`);
  }
  // Nothing sticks out of its panel either (the viewport alone would miss a control that
  // overflows a panel by less than the page's margin).
  const panel = element.parentElement?.closest('.panel, dialog');
  if (panel) {
    const outer = panel.getBoundingClientRect();
    if (box.left < outer.left - 0.5 || box.right > outer.right + 0.5) {
      problems.push(`${name} spans ${box.left.toFixed(1)}..${box.right.toFixed(1)} outside its panel ${outer.left.toFixed(1)}..${outer.right.toFixed(1)}`);
    }
  }
}
return problems.slice(0, 20);
"""


@pytest.fixture(scope="module")
def system():
    moto = Moto()
    # Four workers at most: the chart's top is then the maximum itself, where its label used to be cut off.
    web = WebTier(moto, binary_directory(), {"scaling.maxInstances": "4"})
    yield web
    web.stop()
    moto.stop()


@pytest.fixture(scope="module")
def photos():
    """20 photos (the test set twice), four of them under hostile names."""
    assert len(PHOTOS) >= 10, "testdata/photos needs 10 photos (run scripts/setup)"
    directory = pathlib.Path(tempfile.mkdtemp(prefix="page-photos-"))
    files = []
    for index in range(20):
        photo = PHOTOS[index % 10]
        prefix = HOSTILE_PREFIXES[index] if index < len(HOSTILE_PREFIXES) else f"{index:02d}_"
        target = directory / f"{prefix}{photo.name}"
        shutil.copyfile(photo, target)
        files.append(target)
    yield files
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def shots():
    directory = pathlib.Path(tempfile.mkdtemp(prefix="page-screenshots-"))
    print(f"\nscreenshots in {directory}")
    return directory


@pytest.fixture(scope="module")
def browser():
    driver = chromium(*DESKTOP, extra_arguments=("--hide-scrollbars",))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_CANVAS_TEXT})
    yield driver
    driver.quit()


def wait_for(browser, script, timeout=30):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, timeout, poll_frequency=0.2).until(lambda driver: driver.execute_script(script))


def set_width(browser, size):
    width, height = size
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 2 if width < 600 else 1, "mobile": width < 600})
    wait_for(browser, f"return innerWidth === {width};")


def chart_labels_after_next_draw(browser):
    """The labels of a chart drawn after now (the next autoscaler tick, or a resize)."""
    browser.execute_script("window.__canvasText = [];")
    wait_for(browser, "return window.__canvasText.some(t => t.canvas === 'fleet-chart' && t.text === 'now');", timeout=15)
    return browser.execute_script("return window.__canvasText.filter(t => t.canvas === 'fleet-chart');")


def check_state(browser, shots, name):
    """Screenshots, layout and accessibility of the page as it is now."""
    # Off-screen cards skip painting (content-visibility: auto): paint them for the whole-page shot.
    browser.execute_script("window.scrollTo(0, 0); const sheet = new CSSStyleSheet();"
                           "sheet.replaceSync('.card { content-visibility: visible !important; }');"
                           "document.adoptedStyleSheets = [sheet];")
    path = shots / f"{name}.png"
    size = browser.execute_script("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {  # the whole page, not just the viewport
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"  {path}")
    problems = browser.execute_script(LAYOUT_PROBLEMS)
    assert problems == [], f"{name}: {problems}"
    labels = chart_labels_after_next_draw(browser)
    clipped = [label for label in labels if label["left"] < 0 or label["top"] < 0
               or label["right"] > label["width"] or label["bottom"] > label["height"]]
    assert clipped == [], f"{name}: chart labels outside the canvas: {clipped}"
    assert any(label["text"].startswith("max ") for label in labels), f"{name}: no max label drawn: {labels}"
    browser.execute_script("document.adoptedStyleSheets = [];")
    violations = axe_violations(browser)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
               for v in violations if v["impact"] in ("serious", "critical")]
    print(f"    axe: {len(violations)} violations: {[(v['id'], v['impact'], len(v['nodes'])) for v in violations]}")
    assert serious == [], f"{name}: {serious}"


def axe_violations(browser):
    spec = importlib.util.find_spec("axe_playwright_python")
    assert spec is not None, "axe-playwright-python is not installed (scripts/requirements.txt)"
    source = (pathlib.Path(next(iter(spec.submodule_search_locations))) / "axe.min.js").read_text()
    browser.execute_script(source)
    browser.set_script_timeout(60)
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, { resultTypes: ['violations'] }).then(r => done(r.violations), e => done([{id: 'axe-error', "
        "impact: 'critical', help: String(e), nodes: []}]));")


def fleet(browser):
    return browser.execute_script(
        "const n = id => Number.parseInt(document.getElementById(id).textContent, 10);"
        "return { pending: n('count-pending'), running: n('count-running'), desired: n('count-desired') };")


CARDS = ("return [...document.querySelectorAll('#result-grid .card')].map(c => ({"
         "name: c.querySelector('.file-name').textContent, state: c.dataset.state,"
         "status: c.querySelector('.status').textContent, shown: c.offsetParent !== null,"
         "confidence: c.querySelector('.confidence-value').textContent}));")


def test_cancel_stops_the_upload_and_the_server_keeps_nothing(system, browser, photos):
    browser.get(system.url + "/")
    wait_for(browser, "return document.getElementById('fleet-connection').dataset.state === 'live';")
    # Slow uploads down so that there is an upload in progress to cancel.
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 64 * 1024})
    try:
        browser.find_element("id", "file-input").send_keys("\n".join(map(str, photos)))
        wait_for(browser, "return [...document.querySelectorAll('#result-grid .card')]"
                          ".some(c => c.dataset.state === 'uploading' && c.querySelector('.file-progress').value > 0);")
        assert browser.execute_script("return !document.getElementById('cancel-button').hidden;")
        browser.find_element("id", "cancel-button").click()
        wait_for(browser, "const cards = [...document.querySelectorAll('#result-grid .card')];"
                          f"return cards.length === {len(photos)} && cards.every(c => c.dataset.state === 'failed');")
    finally:
        browser.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    statuses = {card["status"] for card in browser.execute_script(CARDS)}
    assert statuses == {"Upload cancelled"}, statuses
    assert browser.execute_script("return document.getElementById('cancel-button').hidden;")

    def metric(name):
        with urllib.request.urlopen(system.url + "/metrics", timeout=10) as response:
            line = next(line for line in response.read().decode().splitlines() if line.startswith(name + " "))
        return float(line.split()[1])

    # The server saw the client go away: the request is over, and nothing became a job.
    deadline = time.monotonic() + 30
    while metric("webtier_intake_in_flight") != 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert metric("webtier_intake_in_flight") == 0
    assert metric("webtier_images_accepted_total") == 0
    assert metric("webtier_jobs_held") == 0
    browser.find_element("id", "clear-button").click()
    wait_for(browser, "return document.querySelectorAll('#result-grid .card').length === 0;")


def test_finished_job_and_scale_out_at_desktop_and_phone_widths(system, browser, photos, shots):
    browser.get(system.url + "/")
    wait_for(browser, "return document.getElementById('count-desired').textContent.trim() === '0 / 4';")
    # Idle, the chart's top is the maximum (4): its "max" label was drawn above the canvas.
    check_state(browser, shots, "idle-desktop")
    browser.find_element("id", "file-input").send_keys("\n".join(map(str, photos)))

    # Scale-out: the autoscaler wants more workers than are running yet.
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, 120, poll_frequency=0.2).until(
        lambda driver: (lambda f: f["desired"] >= 2 and (f["pending"] > 0 or f["running"] < f["desired"]))(fleet(driver)))
    check_state(browser, shots, "scale-out-desktop")
    set_width(browser, PHONE)
    check_state(browser, shots, "scale-out-phone")
    set_width(browser, DESKTOP)

    wait_for(browser, "const cards = [...document.querySelectorAll('#result-grid .card')];"
                      f"return cards.length === {len(photos)} && cards.every(c => c.dataset.state === 'done');", timeout=400)
    wait_for(browser, "return document.getElementById('summary').textContent.includes('20 done');")
    check_state(browser, shots, "finished-desktop")
    set_width(browser, PHONE)
    check_state(browser, shots, "finished-phone")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    check_state(browser, shots, "finished-phone-dark")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    set_width(browser, DESKTOP)
    severe = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert severe == [], severe


def job_id(browser):
    jobs = browser.execute_script("return JSON.parse(localStorage.getItem('elastic-classifier.jobs') || '[]');")
    open_jobs = [job["jobId"] for job in jobs if job["open"]]
    assert len(open_jobs) == 1, jobs
    return open_jobs[0]


def test_csv_and_json_downloads_match_the_page(system, browser, photos):
    jobId = job_id(browser)
    links = browser.execute_script("return [...document.querySelectorAll('#downloads a')].map(a => a.getAttribute('href'));")
    assert links == [f"/api/jobs/{jobId}?format=csv", f"/api/jobs/{jobId}?format=json"]
    with urllib.request.urlopen(system.url + links[0], timeout=10) as response:
        assert response.headers["Content-Disposition"] == f'attachment; filename="job-{jobId}.csv"'
        assert response.headers["Content-Type"].startswith("text/csv")
        text = response.read().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    with urllib.request.urlopen(system.url + links[1], timeout=10) as response:
        assert response.headers["Content-Disposition"] == f'attachment; filename="job-{jobId}.json"'
        status = json.load(response)

    cards = {card["name"]: card for card in browser.execute_script(CARDS)}
    assert len(rows) == len(photos) == len(cards)
    for row in rows:
        # Formula-looking names come back with a leading quote; the rest as the page shows them.
        name = row["file"][1:] if row["file"][:1] == "'" else row["file"]
        assert row["file"][:1] not in ("=", "+", "-", "@"), row
        assert (row["file"][:1] == "'") == (name[:1] in ("=", "+", "-", "@")), row
        assert row["status"] == "done" and row["error"] == "", row
        assert cards[name]["status"] == row["label"], (row, cards[name])
        top5 = [entry.rsplit(":", 1) for entry in row["top5"].split(";")]
        assert len(top5) == 5 and top5[0][0] == row["label"] and float(top5[0][1]) == float(row["score"]), row
        assert [float(score) for _, score in top5] == sorted((float(score) for _, score in top5), reverse=True), row
    assert {pathlib.Path(photo).name for photo in photos} == {row["file"].lstrip("'") for row in rows}
    by_image = {result["imageId"]: result for result in status["results"]}
    for row in rows:
        assert by_image[row["imageId"]]["label"] == row["label"]
        assert abs(by_image[row["imageId"]]["top5"][0]["score"] - float(row["score"])) < 1e-6


def test_sort_search_and_viewer(browser, shots):
    select = "document.getElementById('result-sort')"
    browser.execute_script(f"{select}.value = 'confidence-desc'; {select}.dispatchEvent(new Event('change'));")
    scores = [float(card["confidence"].rstrip("%")) for card in browser.execute_script(CARDS)]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) > 1, scores
    browser.execute_script(f"{select}.value = 'label'; {select}.dispatchEvent(new Event('change'));")
    labels = [card["status"] for card in browser.execute_script(CARDS)]
    in_order = browser.execute_script("const l = arguments[0]; return l.every((x, i) => i === 0 || l[i - 1].localeCompare(x) <= 0);", labels)
    assert in_order and len(set(labels)) > 1, labels

    wanted = labels[0]
    search = browser.find_element("id", "result-search")
    search.send_keys(wanted)
    shown = [card for card in browser.execute_script(CARDS) if card["shown"]]
    assert shown and all(card["status"] == wanted or wanted.lower() in card["name"].lower() for card in shown), shown
    assert len(shown) < len(labels)
    assert "match" in browser.find_element("id", "search-status").text
    search.clear()
    browser.execute_script("document.getElementById('result-search').dispatchEvent(new Event('input'));")
    assert all(card["shown"] for card in browser.execute_script(CARDS))

    browser.find_element("css selector", "#result-grid .card .thumb-box").click()
    wait_for(browser, "const d = document.getElementById('viewer');"
                      "return d.open && d.querySelector('.viewer-image img').naturalWidth > 0;")
    viewer = browser.execute_script(
        "const d = document.getElementById('viewer'); return { title: d.querySelector('.viewer-title').textContent,"
        "top5: [...d.querySelectorAll('.viewer-top5 li')].length, status: d.querySelector('.viewer-status').textContent };")
    first = browser.execute_script(CARDS)[0]
    assert viewer == {"title": first["name"], "top5": 5, "status": first["status"]}, viewer
    browser.save_screenshot(str(shots / "viewer-desktop.png"))
    violations = [v["id"] for v in axe_violations(browser) if v["impact"] in ("serious", "critical")]
    assert violations == [], violations
    set_width(browser, PHONE)
    browser.save_screenshot(str(shots / "viewer-phone.png"))
    problems = browser.execute_script(LAYOUT_PROBLEMS)
    set_width(browser, DESKTOP)
    assert problems == [], problems
    from selenium.webdriver.common.keys import Keys
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, "return !document.getElementById('viewer').open;")


def test_a_reload_reopens_the_job_from_the_server(system, browser, photos, shots):
    before = sorted((card["name"], card["status"]) for card in browser.execute_script(CARDS))
    jobId = job_id(browser)
    browser.refresh()
    wait_for(browser, f"return document.querySelectorAll('#result-grid .card[data-state=\"done\"]').length === {len(photos)};")
    after = sorted((card["name"], card["status"]) for card in browser.execute_script(CARDS))
    assert after == before
    assert browser.execute_script("return document.querySelector('#history-list time') !== null;")
    history = browser.find_element("id", "history-list").text
    assert "20 images" in history and "20 done" in history, history
    assert job_id(browser) == jobId
    browser.save_screenshot(str(shots / "reopened-desktop.png"))
    assert browser.execute_script(LAYOUT_PROBLEMS) == []

    # Cleared from the grid, the job stays in the history and comes back with "Show".
    browser.find_element("id", "clear-button").click()
    wait_for(browser, "return document.querySelectorAll('#result-grid .card').length === 0;")
    browser.find_element("css selector", f"#history-list button[data-job='{jobId}']").click()
    wait_for(browser, f"return document.querySelectorAll('#result-grid .card[data-state=\"done\"]').length === {len(photos)};")
