"""The upload page (Resources/Public) in real headless Chromium, served by a plain static file
server with the strict CSP the web tier sends. No API is behind it here: the page must still load
cleanly, fall back to its defaults, say that it is offline, and its modules must behave.

The live behaviour (uploads, result streaming, the fleet chart) is tested end to end against the
real web tier once it exists; these tests pin what the page does on its own."""
import functools
import html.parser
import http.server
import pathlib
import shutil
import threading

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
PUBLIC = ROOT / "Resources/Public"
CSP = ("default-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("chromedriver") is None,
    reason="chromium and chromedriver are not installed (scripts/setup installs them)")


class StaticHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    requested: list = []  # paths, in order; a test clears it before it looks

    def do_GET(self):
        StaticHandler.requested.append(self.path)
        super().do_GET()

    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(StaticHandler, directory=str(PUBLIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def make_browser(width=1280, height=900, dark=False):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = shutil.which("chromium")
    # Loopback only: no host name resolves, so no browser service can reach out by accident.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     f"--window-size={width},{height}", "--no-proxy-server",
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    if dark:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    return browser


@pytest.fixture
def browser():
    browser = make_browser()
    yield browser
    browser.quit()


def wait_for(browser, script, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(browser, timeout).until(lambda driver: driver.execute_script(script))


def page_errors(browser):
    """Console errors other than the expected 404s of the absent API and refused sockets."""
    errors = []
    for entry in browser.get_log("browser"):
        message = entry["message"]
        if entry["level"] != "SEVERE":
            continue
        if "/api/config" in message or "/ws/fleet" in message:
            continue
        errors.append(message)
    return errors


class InlineFinder(html.parser.HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.problems = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
        if tag == "script":
            self._in_script = "src" not in names
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "link" and names.get("href", "").startswith(("http:", "https:", "//")):
            self.problems.append(f"external resource {names['href']}")
        if tag == "script" and names.get("src", "").startswith(("http:", "https:", "//")):
            self.problems.append(f"external script {names['src']}")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def test_markup_has_nothing_a_strict_csp_blocks():
    finder = InlineFinder()
    finder.feed((PUBLIC / "index.html").read_text())
    assert finder.problems == []


def test_inline_finder_catches_what_it_should():
    finder = InlineFinder()
    finder.feed('<div style="x" onclick="y()"></div><script>alert(1)</script>'
                '<script src="https://cdn.example/x.js"></script>')
    assert len(finder.problems) == 4


def test_scripts_and_styles_reference_nothing_remote():
    for path in PUBLIC.glob("*.[jc]s*"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text, path.name


@needs_chromium
def test_page_loads_under_the_csp_and_reports_the_missing_server(base_url, browser):
    browser.get(base_url + "/index.html")
    wait_for(browser, "return document.getElementById('fleet-connection').dataset.state === 'offline'")
    # The picker's filter is rewritten from the configuration once its request has failed (the
    # markup's own filter also names MIME types).
    wait_for(browser, "return document.getElementById('file-input').accept === '.jpg,.jpeg,.png'")
    assert browser.find_element("id", "fleet-connection").text == "Offline, retrying"
    # No API: the page keeps its defaults, which match the server's.
    assert browser.find_element("id", "accepted-types").text == ".jpg, .jpeg, .png"
    assert browser.find_element("id", "max-size").text == "20.0 MB"
    assert browser.find_element("id", "summary").text == "No images yet."
    assert page_errors(browser) == []


@needs_chromium
def test_files_are_checked_before_upload(base_url, browser):
    browser.get(base_url + "/index.html")
    reasons = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/files.js').then(({ refusalReason }) => {
          const config = { allowedExtensions: ['jpg', 'jpeg', 'png'], maxFileBytes: 1000 };
          const file = (name, size) => new File([new Uint8Array(size)], name);
          done([
            refusalReason(file('cat.JPG', 10), config),
            refusalReason(file('notes.txt', 10), config),
            refusalReason(file('README', 10), config),
            refusalReason(file('.DS_Store', 10), config),
            refusalReason(file('empty.png', 0), config),
            refusalReason(file('big.jpeg', 1001), config),
          ]);
        }, (error) => done(String(error)));
    """)
    assert reasons == [None, ".txt files are not accepted", "no file extension", "hidden file",
                       "empty file", "1001 B is over the 1000 B limit"]


@needs_chromium
def test_dropped_files_without_entries_are_taken_from_the_file_list(base_url, browser):
    browser.get(base_url + "/index.html")
    paths = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/files.js').then(async ({ filesFromDrop }) => {
          const transfer = new DataTransfer();
          transfer.items.add(new File(['a'], 'one.jpg'));
          transfer.items.add(new File(['b'], 'two.png'));
          done((await filesFromDrop(transfer)).map((found) => found.path));
        }, (error) => done(String(error)));
    """)
    assert paths == ["one.jpg", "two.png"]


@needs_chromium
@pytest.mark.parametrize("milliseconds, expected", [
    (850, "850 ms"), (12_300, "12.3 s"), (95_000, "1:35"), (3_725_000, "1:02:05")])
def test_durations_read_naturally(base_url, browser, milliseconds, expected):
    browser.get(base_url + "/index.html")
    text = browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/util.js').then(({ formatDuration }) => done(formatDuration(arguments[0])));
    """, milliseconds)
    assert text == expected


@needs_chromium
def test_drop_zone_is_the_first_stop_for_the_keyboard(base_url, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(base_url + "/index.html")
    wait_for(browser, "return document.readyState === 'complete'")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.execute_script("return document.activeElement.className") == "skip-link"
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.execute_script("return document.activeElement.id") == "drop-zone"
    outline = browser.execute_script(
        "return getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # a visible focus ring


@needs_chromium
def test_phone_width_has_no_horizontal_scroll_and_dark_mode_applies(base_url):
    browser = make_browser(width=500, height=900, dark=True)
    try:
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                {"width": 360, "height": 800, "deviceScaleFactor": 2, "mobile": True})
        browser.get(base_url + "/index.html")
        wait_for(browser, "return document.readyState === 'complete'")
        widths = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], widths
        background = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(14, 17, 21)"  # --bg in the dark scheme
    finally:
        browser.quit()


# Firefox: no WebDriver for it here, so its own headless screenshot mode loads the page, and the
# static server's log shows that every module was fetched and the page's script ran to its end
# (it asks for /api/config and opens /ws/fleet last).
FIREFOX_PREFERENCES = {
    # Loopback only: with DNS off nothing but IP literals resolves; the background services that
    # would phone home are off too.
    "network.dns.disabled": True,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "app.update.enabled": False,
    "app.normandy.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "extensions.update.enabled": False,
    "browser.search.update": False,
    "dom.push.enabled": False,
    "services.settings.server": "http://127.0.0.1:9/",
}


@pytest.mark.skipif(shutil.which("firefox-esr") is None and shutil.which("firefox") is None,
                    reason="Firefox is not installed")
def test_page_runs_in_firefox(base_url, tmp_path):
    import json
    import subprocess
    import time

    profile = tmp_path / "profile"
    profile.mkdir()
    (profile / "user.js").write_text("".join(
        f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in FIREFOX_PREFERENCES.items()))
    StaticHandler.requested.clear()
    screenshot = tmp_path / "firefox.png"
    firefox = shutil.which("firefox-esr") or shutil.which("firefox")
    subprocess.run([firefox, "--headless", "--no-remote", "--profile", str(profile), "--window-size=1280,900",
                    "--screenshot", str(screenshot), base_url + "/index.html"],
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "MOZ_HEADLESS": "1"},
                   capture_output=True, timeout=120, check=True)
    deadline = time.monotonic() + 5
    while "/ws/fleet" not in StaticHandler.requested and time.monotonic() < deadline:
        time.sleep(0.1)
    modules = {"/" + path.name for path in PUBLIC.glob("*.js")}
    assert modules <= set(StaticHandler.requested), StaticHandler.requested
    assert "/api/config" in StaticHandler.requested
    assert "/ws/fleet" in StaticHandler.requested
    assert screenshot.stat().st_size > 0
