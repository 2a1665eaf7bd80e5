"""A job no worker finishes, seen from the real page: the `webtier` command with no workers
(scaling.maxInstances=0), the page in headless Chromium, and this test playing crashing workers
(it receives the job and hands it back without deleting it) until moto's redrive moves it to the
dead-letter queue. The web tier's dead-letter poller must turn it into a failed result whose
reason the page's card shows."""
import time

import boto3
import pytest

from webtier_deployment import ROOT, Moto, WebTier, binary_directory, chromium_available, needs_system
from test_webtier_system import chromium

pytestmark = [needs_system(),
              pytest.mark.skipif(not chromium_available(), reason="chromium and chromedriver are not installed")]
PHOTO = next(p for p in sorted((ROOT / "testdata/photos").glob("*")) if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


@pytest.fixture(scope="module")
def deployment():
    moto = Moto()
    web = WebTier(moto, binary_directory(), {"queues.maxReceiveCount": "2", "scaling.maxInstances": "0"})
    yield moto, web
    web.stop()
    moto.stop()


def card_state(browser):
    return browser.execute_script(
        "const c = document.querySelector('#result-grid .card');"
        "return c ? [c.dataset.state, c.querySelector('.status').textContent] : null;")


def test_page_shows_a_dead_lettered_image_as_failed_with_the_reason(deployment):
    moto, web = deployment
    sqs = boto3.client("sqs", endpoint_url=moto.endpoint, region_name="us-east-1")
    queue_url = sqs.get_queue_url(QueueName=web.names["requests"])["QueueUrl"]
    browser = chromium()
    try:
        browser.get(web.url + "/")
        browser.find_element("id", "file-input").send_keys(str(PHOTO))
        receives = 0
        deadline = time.time() + 120
        state = card_state(browser)
        while time.time() < deadline and (state is None or state[0] != "failed"):
            for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                               WaitTimeSeconds=1).get("Messages", []):
                receives += 1
                sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"],
                                              VisibilityTimeout=0)
            state = card_state(browser)
    finally:
        browser.quit()
    assert receives == 2, f"received {receives} times before the redrive"
    assert state is not None and state[0] == "failed", state
    assert "dead-lettered" in state[1] and "2 times" in state[1], state
