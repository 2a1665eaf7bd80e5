"""A small `scripts/chaos` (one job of 20 photos, about a minute): the EC2 path with a fault
window on the proxy between the tiers and moto, two worker SIGKILLs, a web-tier SIGKILL and
restart, and a poison image. Nothing may be lost or shown twice, the poison image must end as a
reported failure, and the fleet must settle back to zero."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
MODEL = ROOT / "models/efficientnet-lite0.onnx"
MOTO = pathlib.Path(os.environ.get("ELASTIC_VENV", ROOT / ".venv")) / "bin/moto_server"

pytestmark = pytest.mark.skipif(not MODEL.exists() or not MOTO.exists(), reason="needs the model and moto (scripts/setup)")


def run_chaos(**settings) -> tuple[subprocess.CompletedProcess, dict]:
    environment = dict(os.environ, ELASTIC_BUILD="debug", AWS_EC2_METADATA_DISABLED="true",
                       AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", **settings)
    completed = subprocess.run([str(ROOT / "scripts/chaos")], cwd=ROOT, env=environment, capture_output=True,
                               text=True, timeout=900)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("CHAOS_SUMMARY ")]
    assert lines, f"no summary (exit {completed.returncode}):\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
    return completed, json.loads(lines[-1].removeprefix("CHAOS_SUMMARY "))


def test_small_chaos_run_loses_and_duplicates_nothing():
    completed, summary = run_chaos(CHAOS_JOBS="1", CHAOS_PHOTOS="20", CHAOS_FAULT_WINDOW="10",
                                    CHAOS_RESULT_TIMEOUT="180")
    report = completed.stdout[-2500:]
    faults = summary["faults"]
    # The faults really happened (a run that injected nothing proves nothing).
    assert sum(faults.get(kind, 0) for kind in ("delay", "resetAfterRequest", "serviceUnavailable")) > 0, report
    assert faults["workerKill"] >= 1 and faults["webTierRestart"] == 1, report
    assert summary["lost"] == 0, report
    assert summary["duplicates"] == {"page": 0, "api": 0}, report
    assert summary["poison"] == "failed", report
    assert summary["settledFleet"] == 0, report
    assert completed.returncode == 0, report
