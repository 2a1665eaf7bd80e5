"""The Python reference pipeline: torchvision's geometry, EXIF handling and the CLI's modes."""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image

from vision_testkit import PHOTOS, PYTHON, REFERENCE_DIR, ROOT, SHARED_PHOTOS, load

reference = load("classify_reference")
SCRIPT = REFERENCE_DIR / "classify_reference.py"
MODEL = ROOT / "models" / "efficientnet-lite0.onnx"


def photos(count: int):
    folder = PHOTOS if PHOTOS.is_dir() else SHARED_PHOTOS
    if not folder.is_dir() or not MODEL.exists():
        pytest.skip("photos or model missing: run scripts/setup first")
    return sorted(p for p in folder.iterdir() if p.suffix in (".png", ".jpg"))[:count]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), str(SCRIPT), *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("size,expected", [
    ((451, 300), (384, 256)),   # landscape: the long side is truncated, not rounded (384.85)
    ((300, 451), (256, 384)),
    ((512, 512), (256, 256)),
    ((256, 1000), (256, 1000)),  # already 256 on the short side: unchanged
    ((100, 80), (320, 256)),     # upscaling too
])
def test_resize_follows_torchvision(size, expected):
    assert reference.resized_size(*size) == expected


@pytest.mark.parametrize("size,expected", [
    ((256, 256), (16, 16)),
    ((289, 256), (32, 16)),      # 32.5 rounds half to even -> 32
    ((291, 256), (34, 16)),      # 33.5 -> 34
    ((384, 256), (80, 16)),
])
def test_centre_crop_uses_pythons_round(size, expected):
    assert reference.crop_origin(*size) == expected


def test_normalise_maps_black_and_white_to_the_imagenet_extremes():
    pixels = np.zeros((2, 2, 3), np.uint8)
    pixels[1] = 255
    tensor = reference.normalise(pixels)
    assert tensor.shape == (3, 2, 2) and tensor.dtype == np.float32
    np.testing.assert_allclose(tensor[:, 0, 0], -reference.MEAN / reference.STD, rtol=1e-6)
    np.testing.assert_allclose(tensor[:, 1, 1], (1 - reference.MEAN) / reference.STD, rtol=1e-6)


def test_exif_orientation_is_applied(tmp_path):
    rng = np.random.default_rng(3)
    array = rng.integers(0, 256, (120, 200, 3), dtype=np.uint8)
    plain, rotated = tmp_path / "plain.jpg", tmp_path / "rotated.jpg"
    Image.fromarray(array).save(plain, quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to display
    Image.fromarray(array).save(rotated, quality=95, exif=exif)
    upright = reference.decode(rotated)
    assert upright.size == (120, 200)
    expected = reference.decode(plain).transpose(Image.Transpose.ROTATE_270)
    assert np.array_equal(np.asarray(upright), np.asarray(expected))


def test_alpha_and_greyscale_become_rgb(tmp_path):
    rgba = tmp_path / "rgba.png"
    Image.new("RGBA", (300, 300), (10, 20, 30, 0)).save(rgba)
    grey = tmp_path / "grey.png"
    Image.new("L", (300, 300), 77).save(grey)
    assert np.asarray(reference.decode(rgba))[0, 0].tolist() == [10, 20, 30]  # alpha dropped, not composited
    assert np.asarray(reference.decode(grey))[0, 0].tolist() == [77, 77, 77]


def test_cli_classifies_in_batches_and_raw_mode_reproduces_it(tmp_path):
    files = [str(p) for p in photos(3)]
    tensor, logits = tmp_path / "tensor.f32", tmp_path / "logits.f32"
    done = run_cli("--batch", "2", "--tensor-out", str(tensor), "--logits-out", str(logits), *files)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["file"] for r in records] == files
    for record in records:
        scores = [t["score"] for t in record["top5"]]
        assert len(scores) == 5 and scores == sorted(scores, reverse=True) and sum(scores) <= 1.0 + 1e-9
        assert record["label"] == record["top5"][0]["label"] and record["score"] == scores[0]
    assert tensor.stat().st_size == 3 * 3 * 224 * 224 * 4
    assert logits.stat().st_size == 3 * 1000 * 4

    raw = run_cli("--raw-input", str(tensor), "--threads", "2")
    assert raw.returncode == 0, raw.stderr
    raw_records = [json.loads(line) for line in raw.stdout.splitlines()]
    assert [r["index"] for r in raw_records] == [0, 1, 2]
    for from_files, from_tensor in zip(records, raw_records):
        assert from_files["label"] == from_tensor["label"]
        assert abs(from_files["score"] - from_tensor["score"]) < 1e-5


def test_cli_reports_an_unreadable_image_and_still_classifies_the_rest(tmp_path):
    (good,) = photos(1)
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 truncated")
    done = run_cli("--batch", "4", str(bad), str(good))
    assert done.returncode == 2
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert first["file"] == str(bad) and "error" in first
    assert second["file"] == str(good) and "label" in second


def test_timing_mode_reports_per_stage_milliseconds():
    files = [str(p) for p in photos(2)]
    done = run_cli("--timing", "--batch", "2", *files)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    timing = json.loads(line)["timing"]
    assert timing["images"] == 2 and timing["batch"] == 2
    assert timing["preprocess_ms_per_image"] > 0 and timing["inference_ms_per_image"] > 0
    assert timing["total_ms_per_image"] == pytest.approx(
        timing["preprocess_ms_per_image"] + timing["inference_ms_per_image"])


def test_raw_mode_refuses_a_tensor_of_the_wrong_size(tmp_path):
    bad = tmp_path / "bad.f32"
    np.zeros(1000, np.float32).tofile(bad)
    done = run_cli("--raw-input", str(bad))
    assert done.returncode != 0 and "whole number" in done.stderr
