"""The web tier with an upload token (`web.uploadToken`): sockets need the token too (as the
`upload_token` cookie, since browsers cannot set headers on a WebSocket), and the real page asks
for the token, then uploads and shows results."""
import asyncio
import json
import shutil

import pytest

from webtier_deployment import ROOT, Moto, WebTier, binary_directory, chromium_available, needs_system

pytestmark = needs_system()
TOKEN = "page-token-7f3a"
PHOTOS = sorted(p for p in (ROOT / "testdata/photos").glob("*") if p.suffix.lower() in (".jpg", ".png"))[:3]


@pytest.fixture(scope="module")
def system():
    moto = Moto()
    web = WebTier(moto, binary_directory(), {"web.uploadToken": TOKEN})
    yield web
    web.stop()
    moto.stop()


def test_sockets_need_the_token_cookie(system):
    import websockets

    async def status(headers):
        try:
            async with websockets.connect(system.url.replace("http", "ws") + "/ws/fleet",
                                          additional_headers=headers, open_timeout=10):
                return 101
        except websockets.exceptions.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(status({})) == 401
    assert asyncio.run(status({"Cookie": "upload_token=wrong"})) == 401
    assert asyncio.run(status({"Cookie": f"upload_token={TOKEN}"})) == 101
    assert TOKEN not in system.output(), "the token must never be logged"


@pytest.mark.skipif(not chromium_available(), reason="chromium and chromedriver are not installed")
def test_page_asks_for_the_token_then_uploads(system):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    options = Options()
    options.binary_location = shutil.which("chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--no-proxy-server", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                     "--disable-background-networking", "--disable-component-update"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        browser.get(system.url + "/")
        WebDriverWait(browser, 10).until(lambda driver: driver.execute_script(
            "return !document.getElementById('token-form').hidden;"))
        browser.find_element("id", "token-input").send_keys(TOKEN)
        browser.find_element("css selector", "#token-form button[type=submit]").click()
        browser.find_element("id", "file-input").send_keys("\n".join(str(photo) for photo in PHOTOS))
        WebDriverWait(browser, 300, poll_frequency=0.5).until(lambda driver: driver.execute_script(
            "const cards = [...document.querySelectorAll('#result-grid .card')];"
            f"return cards.length === {len(PHOTOS)} && cards.every(c => c.dataset.state === 'done');"))
        # The job socket got in with the cookie the authorised upload set (HttpOnly: not visible to scripts).
        assert browser.execute_script("return document.cookie.includes('upload_token');") is False
        cookies = {cookie["name"]: cookie for cookie in browser.get_cookies()}
        assert cookies["upload_token"]["httpOnly"] is True
        (ROOT / "artifacts").mkdir(exist_ok=True)
        browser.save_screenshot(str(ROOT / "artifacts/webtier-page-token.png"))
    finally:
        browser.quit()
    config = system.get_json("/api/config")
    assert config["uploadTokenRequired"] is True and TOKEN not in json.dumps(config)
