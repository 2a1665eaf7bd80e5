"""The `provision` command against moto: apply writes a configuration the tiers load, a second
apply changes nothing, bundle-url uploads a bundle and prints a presigned URL that downloads it
and the SHA-256 user-data.sh checks, and teardown removes everything (twice is harmless)."""
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import urllib.request
import uuid

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "webtier"))
from webtier_deployment import Moto, base_environment, binary_directory  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]


def provision_binary() -> pathlib.Path | None:
    directory = binary_directory()
    return directory / "provision" if directory and (directory / "provision").exists() else None


pytestmark = pytest.mark.skipif(provision_binary() is None, reason="provision not built (swift build)")


def test_apply_bundle_url_and_teardown(tmp_path):
    moto = Moto()
    try:
        run_id = f"cmd-{uuid.uuid4().hex[:8]}"
        settings = [f"storage.inputBucket={run_id}-in", f"storage.outputBucket={run_id}-out",
                    f"queues.requestQueue={run_id}-req", f"queues.responseQueue={run_id}-resp",
                    f"queues.deadLetterQueue={run_id}-dlq", f"fleet.fleetTag={run_id}",
                    f"deploy.appTierRole={run_id}-app", f"deploy.webTierRole={run_id}-web",
                    f"deploy.appTierSecurityGroup={run_id}-app", f"deploy.webTierSecurityGroup={run_id}-web"]
        common = ["--config", str(ROOT / "Config/aws.example.json"), "--endpoint", moto.endpoint]
        for setting in settings:
            common += ["--set", setting]

        def provision(*arguments):
            result = subprocess.run([str(provision_binary()), *arguments], cwd=ROOT, env=base_environment(),
                                    capture_output=True, text=True, timeout=120)
            assert result.returncode == 0, result.stdout + result.stderr
            return result.stdout.splitlines()

        generated = tmp_path / "generated.json"
        first = provision("apply", *common, "--output", str(generated))
        assert sum(": created" in line for line in first) == 13, first
        configuration = json.loads(generated.read_text())
        assert configuration["storage"]["createIfMissing"] is False and configuration["queues"]["createIfMissing"] is False
        assert configuration["fleet"]["ec2"]["instanceProfile"] == f"{run_id}-app"
        assert configuration["fleet"]["ec2"]["securityGroupIds"][0].startswith("sg-")
        # The generated file is a configuration the tiers accept (unknown keys would be refused).
        check = subprocess.run([str(provision_binary()), "apply", "--config", str(generated), "--endpoint", moto.endpoint,
                                "--output", str(tmp_path / "again.json")],
                               cwd=ROOT, env=base_environment(), capture_output=True, text=True, timeout=120)
        assert check.returncode == 0, check.stderr
        assert all(": unchanged" in line for line in check.stdout.splitlines() if line.startswith(("bucket", "queue", "role", "instance", "security")))

        bundle = tmp_path / "elastic-classifier-t.tar.gz"
        bundle.write_bytes(os.urandom(4096))
        user_data = tmp_path / "user-data.sh"
        printed = provision("bundle-url", *common, str(bundle), "--tier", "webtier", "--user-data-output", str(user_data))
        values = dict(line.split("=", 1) for line in printed if line.startswith("BUNDLE_"))
        assert values["BUNDLE_SHA256"] == hashlib.sha256(bundle.read_bytes()).hexdigest()
        with urllib.request.urlopen(values["BUNDLE_URL"], timeout=10) as response:
            assert response.read() == bundle.read_bytes()
        rendered = user_data.read_text()
        assert f'BUNDLE_SHA256="${{BUNDLE_SHA256:-{values["BUNDLE_SHA256"]}}}"' in rendered
        assert 'TIER="${TIER:-webtier}"' in rendered

        removed = provision("teardown", *common)
        assert sum(": deleted" in line for line in removed) == 13, removed
        assert all(": absent" in line for line in provision("teardown", *common))
    finally:
        moto.stop()
