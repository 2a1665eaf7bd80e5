"""scripts/ami/make-bundle: the bundle unpacked into an empty directory is complete (its
SHA256SUMS check), links only against glibc, its own lib/ and libraries of packages user-data.sh
installs (no Swift toolchain library), and its worker, run from there with nothing of the
toolchain on its library path, classifies a real photo through moto."""
import json
import os
import pathlib
import subprocess
import sys
import tarfile
import time
import uuid

import boto3
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "webtier"))
from webtier_deployment import MODELS, Moto, VENV  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
PHOTO = pathlib.Path(os.environ.get("ELASTIC_TESTDATA_DIR", ROOT / "testdata")) / "photos/skimage_chelsea.png"
GLIBC = {"ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "libc.so.6", "libm.so.6", "libdl.so.2",
         "libpthread.so.0", "librt.so.1"}

pytestmark = pytest.mark.skipif(not (MODELS / "efficientnet-lite0.onnx").exists() or not PHOTO.exists()
                                or not (VENV / "bin/moto_server").exists(),
                                reason="needs scripts/setup (model, photos, moto)")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("dist")
    # The debug build relinked with the bundle's flags: the same linking as a release bundle,
    # without compiling everything again in release.
    result = subprocess.run([str(ROOT / "scripts/ami/make-bundle"), "--debug", "--config", str(ROOT / "Config/local.json"),
                             "--out", str(out), "--version", "test"], cwd=ROOT, capture_output=True, text=True,
                            timeout=3000)
    assert result.returncode == 0, result.stdout + result.stderr
    tarball = out / "elastic-classifier-test.tar.gz"
    assert (out / "elastic-classifier-test.tar.gz.sha256").read_text().strip() == \
        subprocess.run(["sha256sum", str(tarball)], capture_output=True, text=True).stdout.split()[0]
    unpacked = tmp_path_factory.mktemp("opt")
    with tarfile.open(tarball) as archive:
        archive.extractall(unpacked, filter="data")
    return unpacked


def needed(binary: pathlib.Path) -> list[str]:
    dump = subprocess.run(["objdump", "-p", str(binary)], capture_output=True, text=True, check=True).stdout
    return [line.split()[1] for line in dump.splitlines() if line.strip().startswith("NEEDED")]


def package_of(soname: str) -> str:
    result = subprocess.run(["dpkg", "-S", f"*/{soname}"], capture_output=True, text=True)
    assert result.returncode == 0, f"no Debian package here ships {soname}"
    return result.stdout.split(":")[0]


def test_every_file_matches_its_checksum_and_the_manifest_names_the_version(bundle):
    subprocess.run(["sha256sum", "--check", "--quiet", "--strict", "SHA256SUMS"], cwd=bundle, check=True)
    listed = {line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()}
    for required in ["bin/apptier", "bin/webtier", "lib/libonnxruntime.so.1.32.0", "lib/libjpeg.so.62",
                     "models/efficientnet-lite0.onnx", "Resources/imagenet-labels.json", "Resources/Public/index.html",
                     "config.json", "systemd/apptier.service", "systemd/webtier.service", "user-data.sh", "MANIFEST"]:
        assert required in listed or (bundle / required).is_symlink(), required
    assert "version: test" in (bundle / "MANIFEST").read_text()


def test_binaries_need_only_glibc_the_bundle_and_packages_user_data_installs(bundle):
    packages = set(subprocess.run(["bash", str(bundle / "user-data.sh"), "packages", "debian", "12"],
                                  capture_output=True, text=True, check=True).stdout.split())
    shipped = {path.name for path in (bundle / "lib").iterdir()}
    for binary in [bundle / "bin/apptier", bundle / "bin/webtier", bundle / "lib/libonnxruntime.so.1.32.0"]:
        for soname in needed(binary):
            assert not soname.startswith(("libswift", "libFoundation", "libdispatch", "libBlocksRuntime")), soname
            if soname in GLIBC or soname in shipped:
                continue
            assert package_of(soname) in packages, f"{binary.name} needs {soname} from {package_of(soname)}"
        resolved = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}).stdout
        assert "not found" not in resolved, resolved
        assert "swift" not in resolved.lower(), resolved


def test_the_worker_runs_from_the_bundle_alone(bundle):
    moto = Moto()
    try:
        environment = {"PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1", "NO_PROXY": "*"}
        session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
        s3 = session.client("s3", endpoint_url=moto.endpoint)
        sqs = session.client("sqs", endpoint_url=moto.endpoint)
        prefix = f"bundle-{uuid.uuid4().hex[:10]}"
        for bucket in (f"{prefix}-in", f"{prefix}-out"):
            s3.create_bucket(Bucket=bucket)
        urls = {name: sqs.create_queue(QueueName=f"{prefix}-{name}")["QueueUrl"] for name in ("req", "resp", "dlq")}
        s3.put_object(Bucket=f"{prefix}-in", Key="uploads/j/i/chelsea.png", Body=PHOTO.read_bytes())
        job = {"v": 1, "jobId": "0" * 32, "imageId": "1" * 32, "bucket": f"{prefix}-in", "key": "uploads/j/i/chelsea.png",
               "fileName": "chelsea.png", "submittedAt": int(time.time() * 1000)}
        sqs.send_message(QueueUrl=urls["req"], MessageBody=json.dumps(job))
        settings = {
            "storage.inputBucket": f"{prefix}-in", "storage.outputBucket": f"{prefix}-out", "storage.createIfMissing": "false",
            "queues.requestQueue": f"{prefix}-req", "queues.responseQueue": f"{prefix}-resp",
            "queues.deadLetterQueue": f"{prefix}-dlq", "queues.createIfMissing": "false", "queues.longPollSeconds": "1",
            "worker.maxEmptyPollsBeforeShutdown": "2", "worker.statsIntervalSeconds": "0", "model.intraOpThreads": "1",
            "model.path": str(bundle / "models/efficientnet-lite0.onnx"),
            "model.labelsPath": str(bundle / "Resources/imagenet-labels.json"),
            "model.onnxRuntimeLibrary": str(bundle / "lib/libonnxruntime.so.1.32.0"),
        }
        arguments = [str(bundle / "bin/apptier"), "--config", str(bundle / "config.json"), "--endpoint", moto.endpoint]
        for key, value in sorted(settings.items()):
            arguments += ["--set", f"{key}={value}"]
        worker = subprocess.run(arguments, cwd=bundle, env=environment, capture_output=True, text=True, timeout=300)
        assert worker.returncode == 0, worker.stderr[-3000:]
        # The worker also announces itself on the response queue (heartbeats): keep only results.
        bodies = []
        for _ in range(5):
            batch = sqs.receive_message(QueueUrl=urls["resp"], MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not batch:
                break
            bodies += [json.loads(message["Body"]) for message in batch]
        results = [body for body in bodies if body.get("kind") != "heartbeat"]
        assert len(results) == 1, (bodies, worker.stderr[-3000:])
        result = results[0]
        assert result["imageId"] == "1" * 32 and result.get("error") is None
        assert "cat" in result["label"].lower(), result
    finally:
        moto.stop()
