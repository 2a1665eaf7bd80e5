"""scripts/ami/user-data.sh, run for real with the package manager, downloads, users and systemd
replaced by PATH shims that log their arguments: per release it installs the right packages,
checks the bundle's checksums, installs the files and the unit, and starts the tier; a bundle
that does not match its checksum installs nothing."""
import hashlib
import io
import os
import pathlib
import shutil
import subprocess
import tarfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
USER_DATA = ROOT / "scripts/ami/user-data.sh"

RELEASES = {
    ("debian", "12"): ["libcurl4", "libssl3", "libpng16-16"],
    ("ubuntu", "22.04"): ["libcurl4", "libssl3", "libpng16-16"],
    ("ubuntu", "24.04"): ["libcurl4t64", "libssl3t64", "libpng16-16t64"],
}
COMMON = ["ca-certificates", "curl", "zlib1g", "libdeflate0", "libstdc++6", "libgcc-s1", "libxml2"]

SHIM = """#!/bin/sh
printf '%s\\n' "$(basename "$0") $*" >> "$SHIM_LOG"
"""
# curl: "downloads" the file named by the URL's last segment from SHIM_FILES.
CURL = SHIM + """out=""; url=""
while [ $# -gt 0 ]; do case "$1" in --output) out="$2"; shift 2 ;; --retry|--retry-delay|--proto) shift 2 ;; -*) shift ;; *) url="$1"; shift ;; esac; done
cp "$SHIM_FILES/${url##*/}" "$out"
"""
# id: the user does not exist yet (so the script creates it).
ID = SHIM + "exit 1\n"


def bundle_bytes(files: dict[str, bytes], sums_override: dict[str, bytes] | None = None) -> bytes:
    """A bundle like make-bundle's: the files plus SHA256SUMS (of `sums_override` when given)."""
    hashed = sums_override or files
    sums = "".join(f"{hashlib.sha256(body).hexdigest()}  {name}\n" for name, body in sorted(hashed.items()))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in {**files, "SHA256SUMS": sums.encode()}.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            info.mode = 0o755 if name.startswith("bin/") else 0o644
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


BUNDLE_FILES = {
    "bin/apptier": b"#!/bin/sh\necho worker\n",
    "bin/webtier": b"#!/bin/sh\necho web\n",
    "lib/libonnxruntime.so.1.32.0": b"\x7fELF fake",
    "models/efficientnet-lite0.onnx": b"model",
    "Resources/imagenet-labels.json": b"[]",
    "config.json": b'{"fleet": {"kind": "ec2"}}',
    "systemd/apptier.service": (ROOT / "scripts/ami/apptier.service").read_bytes(),
    "systemd/webtier.service": (ROOT / "scripts/ami/webtier.service").read_bytes(),
    "MANIFEST": b"name: elastic-classifier\nversion: 1.2.3\n",
}


class Sandbox:
    def __init__(self, tmp: pathlib.Path, release=("ubuntu", "24.04"), bundle: bytes | None = None, tier="apptier"):
        self.tmp = tmp
        self.log = tmp / "shims.log"
        shims = tmp / "shims"
        shims.mkdir()
        for name, body in {"apt-get": SHIM, "useradd": SHIM, "systemctl": SHIM, "curl": CURL, "id": ID}.items():
            (shims / name).write_text(body)
            (shims / name).chmod(0o755)
        files = tmp / "files"
        files.mkdir()
        bundle = bundle if bundle is not None else bundle_bytes(BUNDLE_FILES)
        (files / "bundle.tar.gz").write_bytes(bundle)
        (tmp / "os-release").write_text(f'PRETTY_NAME="x"\nID={release[0]}\nVERSION_ID="{release[1]}"\n')
        self.prefix = tmp / "opt/elastic-classifier"
        self.config = tmp / "etc/elastic-classifier"
        self.systemd = tmp / "etc/systemd/system"
        self.env = {
            "PATH": f"{shims}:{os.environ['PATH']}", "SHIM_LOG": str(self.log), "SHIM_FILES": str(files),
            "OS_RELEASE": str(tmp / "os-release"), "PREFIX": str(self.prefix), "CONFIG_DIR": str(self.config),
            "SYSTEMD_DIR": str(self.systemd), "TIER": tier, "TMPDIR": str(tmp),
            "BUNDLE_URL": "https://artifacts.example/bundle.tar.gz",
            "BUNDLE_SHA256": hashlib.sha256(bundle).hexdigest(),
        }

    def run(self, *args, **overrides) -> subprocess.CompletedProcess:
        return subprocess.run(["bash", str(USER_DATA), *args], env={**self.env, **overrides},
                              capture_output=True, text=True, timeout=60)

    def calls(self, program: str) -> list[str]:
        if not self.log.exists():
            return []
        return [line.split(" ", 1)[1] if " " in line else "" for line in self.log.read_text().splitlines()
                if line.split(" ", 1)[0] == program]


@pytest.mark.parametrize("release", list(RELEASES))
def test_installs_this_releases_packages_the_bundle_and_the_unit(tmp_path, release):
    sandbox = Sandbox(tmp_path, release=release)
    result = sandbox.run()
    assert result.returncode == 0, result.stderr
    install = [call for call in sandbox.calls("apt-get") if call.startswith("install")]
    assert len(install) == 1
    assert sorted(install[0].split()[4:]) == sorted(COMMON + RELEASES[release])
    assert sandbox.calls("useradd") == ["--system --home-dir /nonexistent --shell /usr/sbin/nologin apptier"]
    assert sandbox.calls("systemctl") == ["daemon-reload", "enable --now apptier.service"]
    assert (sandbox.prefix / "bin/apptier").read_bytes() == BUNDLE_FILES["bin/apptier"]
    assert (sandbox.config / "config.json").read_bytes() == BUNDLE_FILES["config.json"]
    assert (sandbox.systemd / "apptier.service").read_bytes() == BUNDLE_FILES["systemd/apptier.service"]
    environment = (sandbox.config / "apptier.env").read_text()
    assert f"ORT_LIBRARY_PATH={sandbox.prefix}/lib/libonnxruntime.so.1.32.0" in environment
    assert f"ELASTIC_MODEL={sandbox.prefix}/models/efficientnet-lite0.onnx" in environment
    assert "version 1.2.3" in result.stdout or "1.2.3" in result.stdout


def test_web_tier_gets_its_own_user_and_unit(tmp_path):
    sandbox = Sandbox(tmp_path, tier="webtier")
    result = sandbox.run()
    assert result.returncode == 0, result.stderr
    assert sandbox.calls("useradd")[0].endswith(" webtier")
    assert sandbox.calls("systemctl") == ["daemon-reload", "enable --now webtier.service"]
    assert (sandbox.systemd / "webtier.service").exists()


def test_an_image_build_enables_the_unit_without_starting_it(tmp_path):
    sandbox = Sandbox(tmp_path)
    result = sandbox.run(START_NOW="no")
    assert result.returncode == 0, result.stderr
    assert sandbox.calls("systemctl") == ["daemon-reload", "enable apptier.service"]


def test_a_bundle_that_is_not_the_expected_one_installs_nothing(tmp_path):
    sandbox = Sandbox(tmp_path)
    result = sandbox.run(BUNDLE_SHA256="0" * 64)
    assert result.returncode != 0
    assert "SHA-256 is not BUNDLE_SHA256" in result.stderr
    assert not sandbox.prefix.exists()
    assert sandbox.calls("systemctl") == []


def test_a_file_changed_inside_the_bundle_installs_nothing(tmp_path):
    tampered = dict(BUNDLE_FILES, **{"bin/apptier": b"#!/bin/sh\necho evil\n"})
    sandbox = Sandbox(tmp_path, bundle=bundle_bytes(tampered, sums_override=BUNDLE_FILES))
    result = sandbox.run()
    assert result.returncode != 0
    assert "does not match its SHA256SUMS" in result.stderr
    assert not sandbox.prefix.exists()
    assert sandbox.calls("systemctl") == []


def test_a_second_run_replaces_the_installation_whole(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert sandbox.run().returncode == 0, "first run"
    (sandbox.prefix / "stale-file").write_text("from an old version")
    result = sandbox.run()
    assert result.returncode == 0, result.stderr
    assert not (sandbox.prefix / "stale-file").exists()
    assert (sandbox.prefix / "bin/apptier").exists()


@pytest.mark.parametrize("release", [("debian", "11"), ("ubuntu", "20.04"), ("fedora", "40")])
def test_an_unsupported_release_is_refused_before_anything_is_installed(tmp_path, release):
    sandbox = Sandbox(tmp_path, release=release)
    result = sandbox.run()
    assert result.returncode != 0
    assert "unsupported distribution" in result.stderr
    assert sandbox.calls("apt-get") == []


def test_unset_bundle_url_or_plain_http_is_refused(tmp_path):
    sandbox = Sandbox(tmp_path)
    assert "set BUNDLE_URL" in sandbox.run(BUNDLE_URL="https://CHANGE-ME/elastic-classifier.tar.gz").stderr
    assert "must be an https URL" in sandbox.run(BUNDLE_URL="http://artifacts.example/bundle.tar.gz").stderr
    assert not sandbox.prefix.exists()


def test_shellcheck_finds_nothing():
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not installed (scripts/setup installs it)"
    scripts = [ROOT / "scripts/ami/user-data.sh", ROOT / "scripts/ami/make-bundle"]
    result = subprocess.run([shellcheck, "--external-sources", *map(str, scripts)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_shellcheck_would_catch_an_unquoted_variable(tmp_path):
    broken = tmp_path / "broken.sh"
    broken.write_text(USER_DATA.read_text().replace('install_bundle "$WORK"', "install_bundle $WORK"))
    result = subprocess.run(["shellcheck", str(broken)], capture_output=True, text=True)
    assert "SC2086" in result.stdout
