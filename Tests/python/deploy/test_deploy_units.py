"""The systemd units of both tiers: `systemd-analyze verify` accepts them without a warning, they
run unprivileged and hardened, the worker gives up (and powers off) after repeated failures, and
both state how long a drain may take."""
import configparser
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
UNITS = {tier: ROOT / f"scripts/ami/{tier}.service" for tier in ("apptier", "webtier")}


def sections(path: pathlib.Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string(path.read_text())
    return parser


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("tier", sorted(UNITS))
def test_unit_verifies_cleanly(tmp_path, tier):
    unit = tmp_path / f"{tier}.service"
    unit.write_text(UNITS[tier].read_text().replace(f"/opt/elastic-classifier/bin/{tier}", "/bin/true"))
    result = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.parametrize("tier", sorted(UNITS))
def test_unit_is_unprivileged_and_hardened(tier):
    service = sections(UNITS[tier])["Service"]
    assert service["User"] == tier and service["Group"] == tier
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes",
                       "CapabilityBoundingSet": "", "ReadOnlyPaths": "/opt/elastic-classifier",
                       "KillSignal": "SIGTERM"}.items():
        assert service[key] == value, key
    assert int(service["TimeoutStopSec"]) >= 25, "a drain needs worker.drainSeconds (20 s) and a margin"
    assert service["ExecStart"].startswith(f"/opt/elastic-classifier/bin/{tier} --config /etc/elastic-classifier/config.json")


def test_worker_powers_off_after_a_burst_of_failures():
    unit = sections(UNITS["apptier"])["Unit"]
    assert unit["FailureAction"] == "poweroff"
    assert int(unit["StartLimitBurst"]) >= 2 and int(unit["StartLimitIntervalSec"]) > 0
    assert sections(UNITS["apptier"])["Service"]["Restart"] == "on-failure"


def test_web_tier_is_always_restarted():
    assert sections(UNITS["webtier"])["Service"]["Restart"] == "always"
    assert sections(UNITS["webtier"])["Unit"]["StartLimitIntervalSec"] == "0"
