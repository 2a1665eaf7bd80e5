"""Numeric pieces the model builders share: BatchNorm folding, TF padding, input normalisation."""
from __future__ import annotations

import math

import numpy as np

# Standard ImageNet normalisation (torchvision), applied by every pipeline in this project.
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])
IMAGENET_STD = np.array([0.229, 0.224, 0.225])


def fold_batchnorm(weight: np.ndarray, bias: np.ndarray | None, gamma: np.ndarray, beta: np.ndarray,
                   mean: np.ndarray, var: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Folds an inference BatchNorm that follows a conv into the conv's weight and bias.

    ``weight`` has the output channel first. Computed in float64 and rounded once to float32.
    """
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    folded_weight = weight.astype(np.float64) * scale.reshape(-1, *([1] * (weight.ndim - 1)))
    conv_bias = np.zeros_like(scale) if bias is None else bias.astype(np.float64)
    folded_bias = beta.astype(np.float64) + (conv_bias - mean.astype(np.float64)) * scale
    return folded_weight.astype(np.float32), folded_bias.astype(np.float32)


def tf_same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding (before, after) for one spatial axis of length ``size``.

    TF puts the odd pixel after, so stride-2 layers pad asymmetrically (e.g. 0/1 for 3x3 at 224);
    ONNX's auto_pad=SAME_UPPER would match, but explicit pads leave no doubt for any runtime.
    """
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def imagenet_to_tf_normalisation() -> tuple[np.ndarray, np.ndarray]:
    """Per-channel (scale, shift) turning ImageNet-normalised input into TF's ``(pixel - 127) / 128``.

    With ``x = (p/255 - mean) / std``: ``p = 255 (x std + mean)``, so
    ``(p - 127) / 128 = x * (255 std / 128) + (255 mean - 127) / 128``.
    """
    scale = 255.0 * IMAGENET_STD / 128.0
    shift = (255.0 * IMAGENET_MEAN - 127.0) / 128.0
    return scale.astype(np.float32), shift.astype(np.float32)
