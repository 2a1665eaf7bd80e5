#!/usr/bin/env python3
"""Reference image classification in Python: Pillow + numpy + onnxruntime, torchvision semantics.

The Swift pipeline (Sources/Vision) is tested against this, and scripts/bench-vision times it side
by side. Preprocessing is torchvision's standard ImageNet eval transform on a PIL image:

  decode (Pillow, EXIF orientation applied) -> RGB (alpha dropped)
  -> Resize(256): shorter side to 256, longer = int(256 * long / short), Pillow BILINEAR
     (antialiased: Pillow widens the filter support when downscaling)
  -> CenterCrop(224): top = int(round((h - 224) / 2.0)), left likewise (Python's round: half to even)
  -> /255 -> (x - mean) / std in float32 -> NCHW

then onnxruntime -> softmax (float64) -> top-5 with labels from Resources/imagenet-labels.json.

Output, one JSON object per line:
  classify (default)  {"file", "label", "score", "top5": [{"label", "score"}, ...]}, or
                      {"file", "error"} for an unreadable image (then the exit status is 2)
  --timing            one object {"timing": {...}} with per-stage milliseconds (no per-file lines)
  --raw-input T       inference only on a ready tensor (.npy, or raw float32 little-endian NCHW);
                      {"index", "label", "score", "top5"} per batch item
  --tensor-out F      also write the preprocessed [N,3,224,224] float32 tensor (raw little-endian)
  --logits-out F      also write the logits [N,1000] float32 (raw little-endian)

Importable: ``decode``, ``resize_and_crop``, ``normalise``, ``preprocess``, ``load_labels``, ``ReferenceClassifier``, ``top_k``.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "efficientnet-lite0.onnx"
DEFAULT_LABELS = ROOT / "Resources" / "imagenet-labels.json"
RESIZE_SHORTER_SIDE = 256
CROP_SIZE = 224
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def resized_size(width: int, height: int, shorter: int = RESIZE_SHORTER_SIDE) -> tuple[int, int]:
    """torchvision Resize(int): shorter side to ``shorter``, longer side scaled and truncated."""
    if width <= height:
        return shorter, int(shorter * height / width)
    return int(shorter * width / height), shorter


def crop_origin(width: int, height: int, crop: int = CROP_SIZE) -> tuple[int, int]:
    """torchvision CenterCrop's (left, top): Python round(), i.e. halves round to even."""
    return int(round((width - crop) / 2.0)), int(round((height - crop) / 2.0))


def decode(path: str | Path) -> Image.Image:
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        return image.convert("RGB")


def resize_and_crop(image: Image.Image) -> np.ndarray:
    """An RGB PIL image -> uint8 [224,224,3]: Resize(256) then CenterCrop(224)."""
    size = resized_size(*image.size)
    if size != image.size:
        image = image.resize(size, Image.Resampling.BILINEAR)
    left, top = crop_origin(*image.size)
    if left < 0 or top < 0:
        raise ValueError(f"image of {image.size} is smaller than the {CROP_SIZE} crop after resizing")
    return np.asarray(image.crop((left, top, left + CROP_SIZE, top + CROP_SIZE)), dtype=np.uint8)


def normalise(pixels: np.ndarray) -> np.ndarray:
    """uint8 [H,W,3] -> float32 [3,H,W]: /255, then (x - mean) / std as torchvision does, in float32."""
    scaled = pixels.astype(np.float32) / np.float32(255.0)
    return np.ascontiguousarray(((scaled - MEAN) / STD).transpose(2, 0, 1))


def preprocess_image(image: Image.Image) -> np.ndarray:
    """An RGB PIL image -> float32 [3,224,224], ImageNet-normalised."""
    return normalise(resize_and_crop(image))


def preprocess(path: str | Path) -> np.ndarray:
    """Decode + preprocess one file -> float32 [3,224,224]."""
    return preprocess_image(decode(path))


def load_labels(path: str | Path = DEFAULT_LABELS) -> list[str]:
    labels = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise ValueError(f"{path}: expected a JSON array of strings")
    return labels


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def top_k(probabilities: np.ndarray, labels: list[str], k: int = 5) -> list[dict]:
    order = np.argsort(-probabilities, kind="stable")[:k]
    return [{"label": labels[i], "score": float(probabilities[i])} for i in order]


@dataclass
class ReferenceClassifier:
    """One onnxruntime session on the CPU with a fixed number of intra-op threads."""

    model: Path = DEFAULT_MODEL
    threads: int = 1

    def __post_init__(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(self.model), options, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.output_name = self.session.get_outputs()[0].name

    def logits(self, batch: np.ndarray) -> np.ndarray:
        return self.session.run([self.output_name], {self.input_name: np.ascontiguousarray(batch, np.float32)})[0]


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _read_tensor(path: Path) -> np.ndarray:
    if path.suffix == ".npy":
        tensor = np.load(path, allow_pickle=False)
    else:
        tensor = np.fromfile(path, dtype="<f4")
        per_image = 3 * CROP_SIZE * CROP_SIZE
        if tensor.size == 0 or tensor.size % per_image:
            raise SystemExit(f"{path}: {tensor.size} floats is not a whole number of [3,224,224] images")
        tensor = tensor.reshape(-1, 3, CROP_SIZE, CROP_SIZE)
    if tensor.ndim != 4 or tensor.shape[1:] != (3, CROP_SIZE, CROP_SIZE):
        raise SystemExit(f"{path}: expected [N,3,{CROP_SIZE},{CROP_SIZE}], got {list(tensor.shape)}")
    return tensor.astype(np.float32)


def _emit(record: dict) -> None:
    sys.stdout.write(json.dumps(record) + "\n")


def run_raw(args, classifier: ReferenceClassifier, labels: list[str]) -> None:
    tensor = _read_tensor(args.raw_input)
    outputs = [classifier.logits(chunk) for chunk in _batches(list(tensor), args.batch)]
    logits = np.concatenate([np.asarray(o) for o in outputs])
    if args.logits_out:
        logits.astype("<f4").tofile(args.logits_out)
    for index, probabilities in enumerate(softmax(logits)):
        top5 = top_k(probabilities, labels)
        _emit({"index": index, "label": top5[0]["label"], "score": top5[0]["score"], "top5": top5})


def run_classify(args, classifier: ReferenceClassifier, labels: list[str]) -> int:
    """Classifies the files in batches; an unreadable image gets an {"file", "error"} line."""
    tensors, all_logits, failures = [], [], 0
    for chunk in _batches(args.files, args.batch):
        good, inputs = [], []
        for path in chunk:
            try:
                inputs.append(preprocess(path))
                good.append(path)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                failures += 1
                _emit({"file": str(path), "error": f"{type(error).__name__}: {error}"})
        if not good:
            continue
        batch = np.stack(inputs)
        logits = classifier.logits(batch)
        tensors.append(batch)
        all_logits.append(logits)
        for path, probabilities in zip(good, softmax(logits)):
            top5 = top_k(probabilities, labels)
            _emit({"file": str(path), "label": top5[0]["label"], "score": top5[0]["score"], "top5": top5})
    if args.tensor_out and tensors:
        np.concatenate(tensors).astype("<f4").tofile(args.tensor_out)
    if args.logits_out and all_logits:
        np.concatenate(all_logits).astype("<f4").tofile(args.logits_out)
    return 2 if failures else 0


def run_timing(args, classifier: ReferenceClassifier) -> None:
    """Times decode+preprocess and inference separately, each over ``repeat`` passes of all files."""
    for chunk in _batches(args.files[: args.batch], args.batch):  # warm-up: one batch, untimed
        classifier.logits(np.stack([preprocess(path) for path in chunk]))
    preprocess_seconds = inference_seconds = 0.0
    images = 0
    for _ in range(args.repeat):
        for chunk in _batches(args.files, args.batch):
            start = time.perf_counter()
            batch = np.stack([preprocess(path) for path in chunk])
            middle = time.perf_counter()
            classifier.logits(batch)
            end = time.perf_counter()
            preprocess_seconds += middle - start
            inference_seconds += end - middle
            images += len(chunk)
    _emit({"timing": {
        "images": images, "threads": args.threads, "batch": args.batch, "model": str(args.model),
        "preprocess_ms_per_image": 1000 * preprocess_seconds / images,
        "inference_ms_per_image": 1000 * inference_seconds / images,
        "total_ms_per_image": 1000 * (preprocess_seconds + inference_seconds) / images,
    }})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reference ImageNet classification (Pillow + onnxruntime)")
    parser.add_argument("files", nargs="*", type=Path, help="image files (JPEG, PNG, anything Pillow reads)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads")
    parser.add_argument("--batch", type=int, default=1, help="images per inference call")
    parser.add_argument("--timing", action="store_true", help="print per-stage timing instead of results")
    parser.add_argument("--repeat", type=int, default=1, help="passes over the files in --timing mode")
    parser.add_argument("--raw-input", type=Path, help="inference only on this ready tensor")
    parser.add_argument("--tensor-out", type=Path, help="write the preprocessed tensor (raw float32)")
    parser.add_argument("--logits-out", type=Path, help="write the logits (raw float32)")
    args = parser.parse_args(argv)
    if args.threads < 1 or args.batch < 1 or args.repeat < 1:
        parser.error("--threads, --batch and --repeat must be positive")
    if bool(args.raw_input) == bool(args.files):
        parser.error("give image files or --raw-input, not both or neither")
    if args.timing and args.raw_input:
        parser.error("--timing times image files; it does not combine with --raw-input")
    labels = load_labels(args.labels)
    classifier = ReferenceClassifier(args.model, args.threads)
    if args.raw_input:
        run_raw(args, classifier, labels)
    elif args.timing:
        run_timing(args, classifier)
    else:
        return run_classify(args, classifier, labels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
