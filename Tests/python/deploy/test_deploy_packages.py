"""The package table of user-data.sh: every name exists in its release. Debian 12 (this machine's
release) is checked against apt's own index; Ubuntu's archive cannot be reached from here, so its
two releases are checked against names recorded from packages.ubuntu.com (jammy, noble: main)."""
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
USER_DATA = ROOT / "scripts/ami/user-data.sh"

# Recorded by hand: the binary packages of the libraries the bundle needs, per Ubuntu release.
# Noble renamed libraries whose ABI has time_t in it (the t64 transition); jammy has the old names.
UBUNTU = {
    "22.04": {"ca-certificates", "curl", "zlib1g", "libdeflate0", "libstdc++6", "libgcc-s1", "libxml2", "libcurl4",
              "libssl3", "libpng16-16"},
    "24.04": {"ca-certificates", "curl", "zlib1g", "libdeflate0", "libstdc++6", "libgcc-s1", "libxml2", "libcurl4t64",
              "libssl3t64", "libpng16-16t64"},
}


def packages(distribution: str, version: str) -> list[str]:
    result = subprocess.run(["bash", str(USER_DATA), "packages", distribution, version],
                            capture_output=True, text=True, check=True)
    return result.stdout.split()


def this_release() -> tuple[str, str]:
    fields = dict(line.split("=", 1) for line in pathlib.Path("/etc/os-release").read_text().splitlines() if "=" in line)
    return fields.get("ID", "").strip('"'), fields.get("VERSION_ID", "").strip('"')


@pytest.mark.skipif(this_release() != ("debian", "12"), reason="apt's index here is not Debian 12's")
def test_debian_12_names_exist_in_apt():
    for name in packages("debian", "12"):
        result = subprocess.run(["apt-cache", "show", "--no-all-versions", name], capture_output=True, text=True)
        assert result.returncode == 0 and f"Package: {name}" in result.stdout, f"{name} is not a Debian 12 package"


@pytest.mark.parametrize("version", sorted(UBUNTU))
def test_ubuntu_names_are_the_recorded_ones(version):
    assert set(packages("ubuntu", version)) == UBUNTU[version]


def test_noble_differs_from_jammy_only_by_t64_renames():
    jammy, noble = set(packages("ubuntu", "22.04")), set(packages("ubuntu", "24.04"))
    assert {name + "t64" for name in jammy - noble} == noble - jammy


def test_every_library_the_bundle_links_has_a_package_in_every_release():
    """The packages behind the binaries' NEEDED sonames (libjpeg.so.62 travels in the bundle;
    glibc is in every base image). test_deploy_bundle checks the sonames of a real bundle."""
    for distribution, version in [("debian", "12"), ("ubuntu", "22.04"), ("ubuntu", "24.04")]:
        names = set(packages(distribution, version))
        for stem in ["libcurl4", "libssl3", "libpng16-16", "zlib1g", "libdeflate0", "libstdc++6", "libgcc-s1", "libxml2"]:
            assert stem in names or stem + "t64" in names, f"{stem} missing for {distribution} {version}"
