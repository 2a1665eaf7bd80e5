"""The web tier with an upload token (`web.uploadToken`): sockets need the token too (as the
`upload_token` cookie, since browsers cannot set headers on a WebSocket), and the real page asks
for the token, then uploads and shows results."""
import asyncio
import json

import pytest

from webtier_deployment import ROOT, Moto, WebTier, binary_directory, chromium, chromium_available, needs_system

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
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium()
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


@pytest.mark.skipif(not chromium_available(), reason="chromium and chromedriver are not installed")
def test_saving_the_token_connects_the_fleet_panel_at_once(system):
    """Before any upload: the fleet socket is refused (no cookie) until the token is saved; then
    POST /api/session sets the cookie and the panel reconnects at once, not after its backoff."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser = chromium()
    try:
        browser.get(system.url + "/")
        WebDriverWait(browser, 10).until(lambda driver: driver.execute_script(
            "return !document.getElementById('token-form').hidden"
            " && document.getElementById('fleet-connection').dataset.state === 'offline';"))

        browser.find_element("id", "token-input").send_keys("wrong-token")
        browser.find_element("css selector", "#token-form button[type=submit]").click()
        WebDriverWait(browser, 10).until(lambda driver: driver.execute_script(
            "return document.getElementById('token-message').textContent.includes('not accepted');"))
        assert browser.execute_script("return !document.getElementById('token-form').hidden;")

        token_input = browser.find_element("id", "token-input")
        token_input.clear()
        token_input.send_keys(TOKEN)
        saved_at = browser.execute_script("return performance.now();")
        browser.find_element("css selector", "#token-form button[type=submit]").click()
        WebDriverWait(browser, 10, poll_frequency=0.1).until(lambda driver: driver.execute_script(
            "return document.getElementById('fleet-connection').dataset.state === 'live';"))
        live_after_ms = browser.execute_script("return performance.now();") - saved_at
        assert browser.execute_script("return document.getElementById('token-form').hidden;")
        cookies = {cookie["name"]: cookie for cookie in browser.get_cookies()}
        assert cookies["upload_token"]["httpOnly"] is True
        # Fed by the autoscaler over the now authorised socket.
        WebDriverWait(browser, 30).until(lambda driver: driver.execute_script(
            "return document.getElementById('count-desired').textContent.trim() !== '–';"))
    finally:
        browser.quit()
    print(f"fleet panel live {live_after_ms:.0f} ms after the token was saved")
