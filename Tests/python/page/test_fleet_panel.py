"""The fleet panel's text, in real headless Chromium: a snapshot with a drain target (SLO policy)
shows "target 30 s, projected 24 s" beside the desired count, the backlog policy's shows none; a
fleet with a warm pool (or stopped instances) gets a line naming its stopped members."""
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
      const warmPool = element('p');
      warmPool.hidden = true;
      const panel = new FleetPanel({ canvas, connection: element('span'), explanation: element('p'), counts, warmPool });
      panel.add(snapshot);
      done([counts.desired.textContent, canvas.getAttribute('aria-label'), warmPool.hidden, warmPool.textContent]);
    }, (error) => done([String(error), '', null, '']));
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
    desired, label, _, _ = browser.execute_async_script(PANEL, {**SNAPSHOT, **drain})
    assert desired == expected
    assert ("target 30 s" in label) == bool(drain)



@needs_chromium
@pytest.mark.parametrize("extra, expected", [
    ({"instances": {"pending": 1, "running": 3, "stopped": 5}, "warmPool": 5},
     "3 running · 1 starting · 5 stopped (warm pool of 5)"),
    ({"instances": {"pending": 1, "running": 3, "stopped": 0}, "warmPool": 5},
     "3 running · 1 starting · 0 stopped (warm pool of 5)"),
    ({"instances": {"pending": 1, "running": 3, "stopped": 2}}, "3 running · 1 starting · 2 stopped (warm)"),
    ({"instances": {"pending": 1, "running": 3, "stopped": 0}}, None),
    ({}, None),
])
def test_stopped_warm_pool_members_are_shown_in_words(base_url, browser, extra, expected):  # noqa: F811
    browser.get(base_url + "/index.html")
    _, label, hidden, text = browser.execute_async_script(PANEL, {**SNAPSHOT, **extra})
    if expected is None:
        assert hidden is True and text == ""
        assert "stopped" not in label
    else:
        assert hidden is False and text == expected
        assert expected in label  # the chart's text alternative says it too


@needs_chromium
def test_warm_pool_line_fits_a_phone(base_url):
    from test_page_static import make_browser, wait_for
    phone = make_browser(width=500, height=900)
    try:
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 320, "height": 800, "deviceScaleFactor": 2, "mobile": True})
        phone.get(base_url + "/index.html")
        wait_for(phone, "return document.readyState === 'complete'")
        line = phone.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const snapshot = arguments[0];
            import('/fleet.js').then(({ FleetPanel }) => {
              const $ = (id) => document.getElementById(id);
              const panel = new FleetPanel({
                canvas: $('fleet-chart'), connection: $('fleet-connection'), explanation: $('fleet-explanation'),
                counts: { visible: $('count-visible'), inFlight: $('count-inflight'), pending: $('count-pending'),
                          running: $('count-running'), desired: $('count-desired') },
                warmPool: $('fleet-warm-pool') });
              panel.add(snapshot);
              const box = $('fleet-warm-pool').getBoundingClientRect();
              done([$('fleet-warm-pool').textContent, box.height > 0, document.documentElement.scrollWidth,
                    window.innerWidth]);
            }, (error) => done([String(error), false, 0, 0]));
        """, {**SNAPSHOT, "instances": {"pending": 188, "running": 1888, "stopped": 18888}, "warmPool": 18888})
        text, visible, scroll_width, width = line
        assert text.endswith("18888 stopped (warm pool of 18888)") and visible, line
        assert scroll_width <= width, line
    finally:
        phone.quit()
