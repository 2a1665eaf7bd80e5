#!/usr/bin/env python3
"""Fetches real test photos: the photographs bundled in the scikit-image 0.26.0 wheel (PyPI).

scikit-image ships a few CC0 / public-domain photos in ``skimage/data/`` (see the wheel's
skimage/data/README.txt and the scikit-image docs for each image's origin). We download the wheel
with ``pip download --no-deps`` (PyPI only; cached under ``<out>/../cache/``), extract the colour
photographs plus one greyscale one (camera) as ``skimage_<name>.<ext>``, check each against a
pinned SHA-256 and write ``<out>/.complete`` last. A second run with ``.complete`` present and
every file intact does nothing. Quiet on success.

Usage: fetch_photos.py --out testdata/photos [--cache DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

WHEEL_REQUIREMENT = "scikit-image==0.26.0"
WHEEL_GLOB = "scikit_image-0.26.0-*.whl"
# File in skimage/data/ -> SHA-256. The data files are the same in every platform's wheel.
PHOTOS = {
    "astronaut.png": "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
    "chelsea.png": "596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb",
    "coffee.png": "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
    "rocket.jpg": "c2dd0de7c538df8d111e479619b129464d0269d0ae5fd18ca91d33a7fdfea95c",
    "motorcycle_left.png": "db18e9c4157617403c3537a6ba355dfeafe9a7eabb6b9b94cb33f6525dd49179",
    "motorcycle_right.png": "5fc913ae870e42a4b662314bc904d1786bcad8e2f0b9b67dba5a229406357797",
    "hubble_deep_field.jpg": "3a19c5dd8a927a9334bb1229a6d63711b1c0c767fb27e2286e7c84a3e2c2f5f4",
    "ihc.png": "f8dd1aa387ddd1f49d8ad13b50921b237df8e9b262606d258770687b0ef93cef",
    "retina.jpg": "38a07f36f27f095e818aea7b96d34202c05176d30253c66733f2e00379e9e0e6",
    "camera.png": "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",  # greyscale
}
COMPLETE_MARKER = ".complete"


class FetchError(RuntimeError):
    pass


def output_name(source: str) -> str:
    return f"skimage_{source}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_complete(out: Path) -> bool:
    if not (out / COMPLETE_MARKER).is_file():
        return False
    return all((out / output_name(name)).is_file() and _sha256((out / output_name(name)).read_bytes()) == digest
               for name, digest in PHOTOS.items())


def cached_wheel(cache: Path) -> Path:
    """The wheel from the cache, downloading it with pip the first time."""
    found = sorted(cache.glob(WHEEL_GLOB))
    if found:
        return found[0]
    cache.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(cache), WHEEL_REQUIREMENT]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"pip download {WHEEL_REQUIREMENT} failed (is PyPI reachable?):\n{result.stderr.strip()}")
    found = sorted(cache.glob(WHEEL_GLOB))
    if not found:
        raise FetchError(f"pip download succeeded but no {WHEEL_GLOB} is in {cache}")
    return found[0]


def extract(wheel: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / COMPLETE_MARKER).unlink(missing_ok=True)
    try:
        archive = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as error:
        raise FetchError(f"{wheel} is not a valid wheel; delete it and rerun") from error
    with archive:
        for name, digest in PHOTOS.items():
            try:
                data = archive.read(f"skimage/data/{name}")
            except KeyError as error:
                raise FetchError(f"{wheel} has no skimage/data/{name}") from error
            if _sha256(data) != digest:
                raise FetchError(f"skimage/data/{name} in {wheel} has an unexpected SHA-256; delete the wheel and rerun")
            target = out / output_name(name)
            temp = target.with_name(f".{target.name}.partial")
            temp.write_bytes(data)
            temp.replace(target)
    (out / COMPLETE_MARKER).write_text(f"{WHEEL_REQUIREMENT}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fetch real test photos from the scikit-image wheel")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cache", type=Path, default=None, help="wheel cache (default: <out>/../cache)")
    args = parser.parse_args(argv)
    if is_complete(args.out):
        return 0
    try:
        extract(cached_wheel(args.cache or args.out.parent / "cache"), args.out)
    except FetchError as error:
        print(f"fetch_photos: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
