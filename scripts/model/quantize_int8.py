#!/usr/bin/env python3
"""Makes a static int8 (QDQ) variant of the fp32 classifier and reports its top-1 agreement.

onnxruntime.quantization.quantize_static with per-channel int8 weights, uint8 activations (the
u8s8 pair ONNX Runtime's x86 kernels are fastest with) and Percentile calibration. Calibration
images are the real test photos, each in three deterministic views (scales, mirror) through the
reference pipeline's preprocessing, so the ranges come from real image statistics. Peak memory is
~2 GB (the calibrator holds every activation of every sample).
The input normalisation (Mul+Add) and the stem conv stay float: quantising the stem, which sees the
raw image through only 3 channels, cost the most accuracy in our trials (espresso on the coffee
photo fell from 0.96 to ~0.52).

Usage: quantize_int8.py [--model models/efficientnet-lite0.onnx] [--out models/efficientnet-lite0-int8.onnx]
                        [--photos testdata/photos] [--evaluate DIR ...]
Prints one JSON object: top-1 agreement (and top-5 overlap) with the fp32 model on the calibration
photos plus any --evaluate folders (held-out images make the fairer figure).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Benchmarks" / "reference"))
import classify_reference as reference  # noqa: E402

# (shorter side, mirrored) views per photo. ORT's Percentile calibrator keeps every intermediate
# tensor of every sample in memory (~55 MB per Lite0 sample), so the sample count is kept small.
CALIBRATION_VIEWS = ((256, False), (320, True), (224, True))


def views(image: Image.Image):
    """Deterministic calibration views of one photo: centre crops at several scales, some mirrored."""
    for shorter, mirrored in CALIBRATION_VIEWS:
        resized = image.resize(reference.resized_size(*image.size, shorter=shorter), Image.Resampling.BILINEAR)
        left, top = reference.crop_origin(*resized.size)
        crop = reference.CROP_SIZE
        view = np.asarray(resized.crop((left, top, left + crop, top + crop)), dtype=np.uint8)
        yield reference.normalise(view[:, ::-1] if mirrored else view)


def calibration_tensors(photos: list[Path]) -> list[np.ndarray]:
    return [tensor[None] for path in photos for tensor in views(reference.decode(path))]


class _Reader:
    """The CalibrationDataReader protocol: get_next() returns one input dict or None."""

    def __init__(self, tensors: list[np.ndarray], input_name: str):
        self._items = iter(tensors)
        self._input_name = input_name

    def get_next(self):
        tensor = next(self._items, None)
        return None if tensor is None else {self._input_name: tensor}


def quantize(model: Path, out: Path, photos: list[Path]) -> int:
    from onnxruntime.quantization import CalibrationMethod, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    import onnx

    tensors = calibration_tensors(photos)
    keep_float = [n.name for n in onnx.load(str(model)).graph.node if n.name.split("/")[0] in ("normalise", "stem")]
    with tempfile.TemporaryDirectory() as scratch:
        prepared = Path(scratch) / "prepared.onnx"
        quant_pre_process(str(model), str(prepared), skip_symbolic_shape=True)
        out.parent.mkdir(parents=True, exist_ok=True)
        quantize_static(str(prepared), str(out), _Reader(tensors, "input"), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.Percentile, nodes_to_exclude=keep_float)
    return len(tensors)


def agreement(fp32: Path, int8: Path, photos: list[Path]) -> dict:
    batch = np.stack([reference.preprocess(p) for p in photos])
    a = reference.ReferenceClassifier(fp32, threads=2).logits(batch)
    b = reference.ReferenceClassifier(int8, threads=2).logits(batch)
    top1 = (a.argmax(1) == b.argmax(1))
    top5_overlap = [len(set(np.argsort(-x)[:5]) & set(np.argsort(-y)[:5])) / 5 for x, y in zip(a, b)]
    probability_gap = np.abs(reference.softmax(a) - reference.softmax(b)).max(axis=1)
    return {"images": len(photos), "top1_agreement": float(top1.mean()),
            "top5_overlap": float(np.mean(top5_overlap)), "max_probability_gap": float(probability_gap.max()),
            "disagreements": [p.name for p, same in zip(photos, top1) if not same]}


def images_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Static int8 QDQ quantisation of the classifier")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "efficientnet-lite0.onnx")
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "efficientnet-lite0-int8.onnx")
    parser.add_argument("--photos", type=Path, default=ROOT / "testdata" / "photos", help="calibration photos")
    parser.add_argument("--evaluate", type=Path, action="append", default=[], help="more photos to compare on")
    args = parser.parse_args(argv)
    photos = images_in(args.photos)
    if not photos or not args.model.exists():
        print("quantize_int8: need the fp32 model and photos (run scripts/setup)", file=sys.stderr)
        return 1
    with contextlib.redirect_stdout(sys.stderr):  # the quantiser prints progress; stdout is our JSON
        samples = quantize(args.model, args.out, photos)
    by_name = {p.name: p for folder in reversed(args.evaluate) for p in images_in(folder)}
    by_name.update({p.name: p for p in photos})  # the same photo in two folders counts once
    evaluation = sorted(by_name.values(), key=lambda p: p.name)
    report = agreement(args.model, args.out, evaluation)
    report.update(calibration_samples=samples, bytes=args.out.stat().st_size)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
