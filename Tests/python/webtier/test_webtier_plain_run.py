"""`swift run webtier` on its own: the `webtier` executable with no flags and a clean environment
(no AWS variables, an empty HOME), from the checkout, brings up the whole local system (its own
moto, `apptier` workers from beside it) and never reaches for a non-loopback address. Each run is
in a network namespace of its own with only loopback, where the instance-metadata address is a
loopback listener that records any connection (webtier_namespace_run.py)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

from webtier_deployment import ROOT, MODELS, base_environment, binary_directory, needs_system

pytestmark = needs_system()
DRIVER = pathlib.Path(__file__).with_name("webtier_namespace_run.py")
PHOTO = ROOT / "testdata/photos/skimage_chelsea.png"


def run_in_namespace(mode, tmp_path, *extra):
    """The driver inside `unshare -rn` (a user namespace maps us to root there, for `ip`)."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True)
    assert probe.returncode == 0, f"this test needs network namespaces (unshare -rn): {probe.stderr}"
    completed = subprocess.run(
        ["unshare", "-rn", sys.executable, str(DRIVER), mode, str(binary_directory()), str(ROOT), str(tmp_path),
         *extra], capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def expected_reply(photo):
    """The oracle: our `classify` command on the same file, in the course's `<name>:<label>` form."""
    output = subprocess.run(
        [str(binary_directory() / "classify"), "--json", "--model", str(MODELS / "efficientnet-lite0.onnx"),
         "--labels", str(ROOT / "Resources/imagenet-labels.json"), str(photo)],
        capture_output=True, text=True, timeout=600, env=base_environment(), check=True).stdout
    return f"{photo.stem}:{json.loads(output.splitlines()[0])['label']}"


def test_plain_webtier_serves_and_classifies_without_leaving_loopback(tmp_path):
    expected = expected_reply(PHOTO)
    report = run_in_namespace("serve", tmp_path, str(PHOTO))
    log = report["log"]
    assert report["metadata_connections"] == [], f"a connection went to the instance-metadata address:\n{log}"
    assert report["listening"].startswith("LISTENING "), log
    assert report["moto_pid"], f"webtier did not start its own moto:\n{log}"
    assert report["healthz"][0] == 200, log
    assert report["classified"] == [200, expected], log
    assert log.count("using the local test credentials") == 1, log
    assert report["webtier_exit"] == 0, log
    assert report["moto_gone"], f"moto {report['moto_pid']} outlived the web tier:\n{log}"


def test_moto_goes_when_the_web_tier_is_killed(tmp_path):
    report = run_in_namespace("crash", tmp_path)
    log = report["log"]
    assert report["healthz"][0] == 200, log
    assert report["webtier_exit"] == -9, log
    assert report["moto_gone"], f"moto {report['moto_pid']} outlived a killed web tier:\n{log}"
    assert report["metadata_connections"] == [], log


def run_plain_webtier(tmp_path, *arguments, environment=None):
    """`webtier` with a clean environment, in a network namespace of its own (no port taken)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "TMPDIR": str(tmp_path)}
    env.update(environment or {})
    return subprocess.run(["unshare", "-rn", str(binary_directory() / "webtier"), *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_without_setup_the_message_names_scripts_run(tmp_path):
    result = run_plain_webtier(tmp_path, environment={"ELASTIC_VENV": str(tmp_path / "no-venv")})
    assert result.returncode != 0 and "LISTENING" not in result.stdout, result.stderr
    assert "nothing answers at http://127.0.0.1:5005" in result.stderr, result.stderr
    assert f"{tmp_path}/no-venv/bin/moto_server is missing" in result.stderr
    assert "./scripts/run" in result.stderr


def test_without_apptier_the_message_names_the_build_command(tmp_path):
    result = run_plain_webtier(tmp_path, "--set", "fleet.workerExecutable=/nonexistent/apptier")
    assert result.returncode != 0 and "LISTENING" not in result.stdout, result.stderr
    assert "/nonexistent/apptier is missing" in result.stderr
    assert "swift build --product apptier" in result.stderr
