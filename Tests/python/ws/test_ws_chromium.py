"""A real headless Chromium page, served by our server, talks WebSocket to it (echo and chat)."""
import asyncio
import pathlib
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from websockets.asyncio.client import connect

ROOT = pathlib.Path(__file__).resolve().parents[3]
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def chromium():
    if not shutil.which("chromium") or not pathlib.Path(CHROMEDRIVER).exists():
        pytest.fail("chromium and chromium-driver are required (scripts/setup installs them)")
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1000,700",
                 # Stay on loopback: no background network traffic from the browser.
                 "--disable-background-networking", "--no-first-run", "--disable-sync",
                 "--disable-component-update", "--disable-default-apps"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def test_chromium_page_echoes_and_receives_broadcasts(ws_server, chromium):
    chromium.get(f"{ws_server.http}/ws-test.html")
    wait = WebDriverWait(chromium, 15)
    wait.until(lambda d: text_of(d, "echo-status").startswith("echoed:"))
    assert text_of(chromium, "echo-status") == "echoed: hello from chromium"
    # Chromium always offers permessage-deflate; our server accepts and declares no context takeover.
    assert text_of(chromium, "echo-extensions") == "permessage-deflate; server_no_context_takeover"
    assert text_of(chromium, "echo-protocol") == "test.v1"
    wait.until(lambda d: text_of(d, "big-echo") != "pending")
    assert text_of(chromium, "big-echo") == f"ok {len('€uro ' * 9000)}"
    wait.until(lambda d: text_of(d, "binary-echo") != "pending")
    assert text_of(chromium, "binary-echo") == "0,1,2,253,254,255"

    # Random-ish text compresses poorly but is still 70 KB > 64 KiB: the browser sees our 1009.
    wait.until(lambda d: text_of(d, "oversize") != "pending")
    assert text_of(chromium, "oversize").startswith("closed 1009 message of at least")

    # The page joined the chat and said hi; a Python client's broadcast must reach the page's DOM.
    wait.until(lambda d: "chromium says hi" in text_of(d, "chat-log"))

    async def broadcast_from_python():
        async with connect(f"{ws_server.ws}/ws/chat") as ws:
            await ws.recv()  # welcome
            await ws.send("broadcast from python ✓")
            assert await ws.recv() == "broadcast from python ✓"
    asyncio.run(asyncio.wait_for(broadcast_from_python(), 15))
    wait.until(lambda d: "broadcast from python ✓" in text_of(d, "chat-log"))
    assert text_of(chromium, "chat-status") == "open"

    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    chromium.save_screenshot(str(artifacts / "ws-chromium.png"))
