"""`swift run apptier` and `swift run classify` in a checkout that lacks something: each says what
is missing and which command or setting provides it, and exits 2 (a worker that cannot start)."""
import pathlib
import socket
import subprocess
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "webtier"))
from webtier_deployment import ROOT, base_environment, binary_directory  # noqa: E402

pytestmark = pytest.mark.skipif(binary_directory() is None or not (binary_directory() / "classify").exists(),
                                reason="apptier/classify not built (swift build)")
PHOTO = ROOT / "testdata/photos/skimage_chelsea.png"


def run(name, *arguments, environment=None, namespace=False):
    """`namespace`: in a network namespace of its own (`unshare -rn`), where no port is taken."""
    env = base_environment()
    env.update(environment or {})
    prefix = ["unshare", "-rn"] if namespace else []
    return subprocess.run([*prefix, str(binary_directory() / name), *arguments], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_apptier_without_the_model_names_setup_and_the_setting():
    result = run("apptier", "--set", "model.path=/nonexistent/model.onnx")
    assert result.returncode == 2, result.stderr
    assert "/nonexistent/model.onnx" in result.stderr
    assert "./scripts/setup" in result.stderr and "model.path" in result.stderr


def test_apptier_without_onnx_runtime_names_setup():
    result = run("apptier", environment={"ORT_LIBRARY_PATH": "/nonexistent/libonnxruntime.so"})
    assert result.returncode == 2, result.stderr
    assert "/nonexistent/libonnxruntime.so" in result.stderr and "./scripts/setup" in result.stderr


def test_apptier_with_nothing_at_the_local_endpoint_says_how_to_start_it():
    # A port nobody listens on: bound, never listened to, so it stays ours while the worker looks.
    with socket.socket() as reserved:
        reserved.bind(("127.0.0.1", 0))
        endpoint = f"http://127.0.0.1:{reserved.getsockname()[1]}"
        result = run("apptier", "--endpoint", endpoint)
    assert result.returncode == 2, result.stderr
    assert f"nothing answers at {endpoint}" in result.stderr
    assert "swift run webtier" in result.stderr and "./scripts/run" in result.stderr


def test_apptier_reads_the_local_configuration_by_default():
    """In the checkout, no flags means Config/local.json: the endpoint it finds missing is moto's."""
    environment = {"ELASTIC_ENDPOINT": ""}
    result = run("apptier", environment=environment, namespace=True)
    assert result.returncode == 2, result.stderr
    assert "nothing answers at http://127.0.0.1:5005" in result.stderr, result.stderr


def test_classify_without_onnx_runtime_names_the_flag_and_setup():
    result = run("classify", "--onnx-runtime-library", "/nonexistent/libonnxruntime.so", str(PHOTO))
    assert result.returncode == 2, result.stderr
    assert "/nonexistent/libonnxruntime.so does not exist" in result.stderr
    assert "./scripts/setup" in result.stderr


def test_classify_without_the_model_names_the_flag_and_setup():
    result = run("classify", "--model", "/nonexistent/model.onnx", str(PHOTO))
    assert result.returncode == 2, result.stderr
    assert "model file not found: /nonexistent/model.onnx" in result.stderr
    assert "./scripts/setup" in result.stderr and "--model" in result.stderr


def test_classify_with_an_invalid_setting_in_the_environment_names_it_and_exits_2():
    result = run("classify", str(PHOTO), environment={"ELASTIC_PORT": "five thousand"})
    assert result.returncode == 2, result.stderr
    assert "ELASTIC_PORT" in result.stderr and "five thousand" in result.stderr
