"""The fleet panel's text for the SLO autoscaling policy, in real headless Chromium: a snapshot
with a drain target shows "target 30 s, projected 24 s" beside the desired count; the backlog
policy's snapshot shows none."""
import pytest

from test_page_static import base_url, browser, needs_chromium  # noqa: F401 (fixtures)

PANEL = """
    const done = arguments[arguments.length - 1];
    const snapshot = arguments[0];
    import('/fleet.js').then(({ FleetPanel }) => {
      const element = (tag) => document.body.appendChild(document.createElement(tag));
      const counts = { visible: element('dd'), inFlight: element('dd'), pending: element('dd'),
                       running: element('dd'), desired: element('dd') };
      const canvas = element('canvas');
      const panel = new FleetPanel({ canvas, connection: element('span'), explanation: element('p'), counts });
      panel.add(snapshot);
      done([counts.desired.textContent, canvas.getAttribute('aria-label')]);
    }, (error) => done([String(error), '']));
"""

SNAPSHOT = {"at": 1_800_000_000_000, "queue": {"visible": 120, "inFlight": 8},
            "instances": {"pending": 1, "running": 3}, "desired": 4, "max": 19, "explanation": "…"}


@needs_chromium
@pytest.mark.parametrize("drain, expected", [
    ({"drainTargetSeconds": 30, "projectedDrainSeconds": 23.2}, "4 / 19 (target 30 s, projected 24 s)"),
    ({"drainTargetSeconds": 30}, "4 / 19 (target 30 s, projected never (no capacity))"),
    ({}, "4 / 19"),
])
def test_desired_count_shows_the_drain_target(base_url, browser, drain, expected):  # noqa: F811
    browser.get(base_url + "/index.html")
    desired, label = browser.execute_async_script(PANEL, {**SNAPSHOT, **drain})
    assert desired == expected
    assert ("target 30 s" in label) == bool(drain)
