"""The app-tier deployment files: the systemd unit passes `systemd-analyze verify` with no
warnings, and the user-data bootstrap script is valid bash."""
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
UNIT = ROOT / "scripts/ami/apptier.service"
USER_DATA = ROOT / "scripts/ami/user-data.sh"


def verify(unit_text: str, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    # verify checks that ExecStart exists on this machine; point it at a real executable.
    unit = tmp_path / "apptier.service"
    unit.write_text(unit_text.replace("/opt/elastic-classifier/bin/apptier", "/bin/true"))
    return subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_unit_verifies_cleanly(tmp_path):
    result = verify(UNIT.read_text(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_verify_would_catch_a_broken_unit(tmp_path):
    broken = UNIT.read_text().replace("[Service]\n", "[Service]\nRestartt=always\n")
    result = verify(broken, tmp_path)
    assert "Unknown key" in result.stderr


def test_unit_restarts_on_failure_runs_unprivileged_and_drains():
    text = UNIT.read_text()
    assert "Restart=on-failure" in text
    assert "User=apptier" in text and "NoNewPrivileges=yes" in text
    assert "KillSignal=SIGTERM" in text


def test_user_data_is_valid_bash():
    subprocess.run(["bash", "-n", str(USER_DATA)], check=True)
