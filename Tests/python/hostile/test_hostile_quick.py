"""The small version of scripts/hostile, run by ./scripts/test: every case of the suite, with
fewer sockets and shorter waits, against the debug build the tests use. Each case is one test,
in the suite's order (the photos accepted during the attacks, some just before a kill -9, are
checked after the restart)."""
import pytest

from hostile_ledger import PHOTOS
from hostile_limits import Limits
from hostile_run import CASES, format_line, start
from webtier_deployment import binary_directory, needs_system

pytestmark = needs_system()


@pytest.fixture(scope="module")
def run():
    assert PHOTOS, "no photos in testdata/photos (run scripts/setup)"
    running, missing = start(binary_directory(), Limits.quick())
    if missing:
        print(f"no configuration key in this build for: {', '.join(missing)}")
    yield running
    running.system.close()


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_case(run, name):
    # Restarted before each case (same queues and buckets), so that each case's RSS is its own.
    run.system.start()
    result = CASES[name](run)
    print(format_line(result))
    if not result.passed:
        pytest.fail(format_line(result), pytrace=False)
