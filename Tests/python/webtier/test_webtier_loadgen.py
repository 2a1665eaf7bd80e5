"""The `loadgen` workload generator (the course's client) against the real `webtier` command with
its autoscaler: concurrent course-style `POST /` requests all get `<name>:<label>` replies that
match the `classify` command on the same files, and a dead endpoint makes loadgen fail."""
import json
import pathlib
import subprocess

from webtier_deployment import ROOT, MODELS, Moto, WebTier, base_environment, binary_directory, free_port, needs_system

pytestmark = needs_system()
PHOTOS = ROOT / "testdata/photos"


def run_loadgen(url: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary_directory() / "loadgen"), url, str(PHOTOS), *extra],
                          capture_output=True, text=True, timeout=600, env=base_environment())


def test_concurrent_course_requests_get_their_own_labels():
    expected = subprocess.run(
        [str(binary_directory() / "classify"), "--json", "--model", str(MODELS / "efficientnet-lite0.onnx"),
         "--labels", str(ROOT / "Resources/imagenet-labels.json"), str(PHOTOS)],
        capture_output=True, text=True, timeout=600, env=base_environment(), check=True).stdout
    labels = {pathlib.Path(e["file"]).stem: e["label"] for e in map(json.loads, filter(None, expected.splitlines()))}
    moto = Moto()
    web = WebTier(moto, binary_directory())
    try:
        result = run_loadgen(web.url + "/", "--concurrency", "20", "--count", "20")
    finally:
        web.stop()
        moto.stop()
    assert result.returncode == 0, result.stdout + result.stderr
    replies = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert len(replies) == 20
    summary = result.stdout.splitlines()[-1]
    assert "20 ok, 0 failed" in summary
    for line in result.stdout.splitlines()[:-1]:
        # "ok  <ms> ms  <file>  <stem>:<label>"
        reply = line.split("  ")[-1]
        stem, label = reply.split(":", 1)
        assert labels[stem] == label, line


def test_an_unreachable_endpoint_fails_every_request():
    result = run_loadgen(f"http://127.0.0.1:{free_port()}/", "--count", "3", "--timeout", "5")
    assert result.returncode == 1
    assert "0 ok, 3 failed" in result.stdout
    assert "connect failed" in result.stdout
