"""fetch_photos.py: extracts pinned photos from the cached scikit-image wheel, idempotently."""
from __future__ import annotations

import shutil

import pytest
from PIL import Image

from vision_testkit import ROOT, load

fetch = load("fetch_photos")
CACHE = ROOT / "testdata" / "cache"


@pytest.fixture
def cache(tmp_path):
    # Reuse the wheel setup downloaded; never hit PyPI from a test.
    wheels = sorted(CACHE.glob(fetch.WHEEL_GLOB)) if CACHE.is_dir() else []
    if not wheels:
        pytest.skip("no cached scikit-image wheel: run scripts/setup first")
    local = tmp_path / "cache"
    local.mkdir()
    (local / wheels[0].name).symlink_to(wheels[0])
    return local


def test_extracts_every_photo_and_marks_completion(tmp_path, cache):
    out = tmp_path / "photos"
    assert fetch.main(["--out", str(out), "--cache", str(cache)]) == 0
    assert (out / ".complete").is_file()
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == sorted(fetch.output_name(n) for n in fetch.PHOTOS)
    for name in names:
        with Image.open(out / name) as image:
            image.verify()  # a real, complete image file


def test_second_run_changes_nothing_and_a_damaged_photo_is_restored(tmp_path, cache):
    out = tmp_path / "photos"
    assert fetch.main(["--out", str(out), "--cache", str(cache)]) == 0
    coffee = out / "skimage_coffee.png"
    before = coffee.stat().st_mtime_ns
    assert fetch.main(["--out", str(out), "--cache", str(cache)]) == 0
    assert coffee.stat().st_mtime_ns == before, "an intact set is left alone"
    coffee.write_bytes(b"damaged")
    assert not fetch.is_complete(out)
    assert fetch.main(["--out", str(out), "--cache", str(cache)]) == 0
    assert fetch.is_complete(out)


def test_a_corrupt_cached_wheel_is_a_clear_error(tmp_path, capsys):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "scikit_image-0.26.0-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"not a zip")
    assert fetch.main(["--out", str(tmp_path / "photos"), "--cache", str(cache)]) == 1
    assert "not a valid wheel" in capsys.readouterr().err
    assert not (tmp_path / "photos" / ".complete").exists()


def test_a_tampered_photo_inside_the_wheel_is_refused(tmp_path, cache, capsys):
    import zipfile
    (source,) = cache.iterdir()
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    with zipfile.ZipFile(source.resolve()) as src, zipfile.ZipFile(tampered / source.name, "w") as dst:
        for item in src.infolist():
            if item.filename.startswith("skimage/data/"):
                data = src.read(item)
                dst.writestr(item, data + b"x" if item.filename.endswith("rocket.jpg") else data)
    assert fetch.main(["--out", str(tmp_path / "photos"), "--cache", str(tampered)]) == 1
    assert "unexpected SHA-256" in capsys.readouterr().err
    shutil.rmtree(tampered)
