#!/usr/bin/env python3
"""Builds an ImageNet ResNet (18/34/50) ONNX model from a torchvision-format state_dict, torch-free.

For users who have the official weights (e.g. torchvision's ``resnet18-f37072fd.pth``, legacy or
zip format): the result has the same interface as models/efficientnet-lite0.onnx, so the worker
runs it with the same preprocessing:

  input  "input"  float32 [batch,3,224,224], standard ImageNet normalisation (the weights' own)
  stem   conv 7x7/2 + BN + ReLU -> MaxPool 3x3/2
  layer1..layer4 of BasicBlocks (18, 34) or Bottlenecks (50; stride on the 3x3, torchvision v1.5)
  head   GlobalAveragePool -> Flatten -> Gemm
  output "logits" float32 [batch,1000]

BatchNorm (eps 1e-5) is folded into the convs. The checkpoint is read by a restricted unpickler;
its keys must be exactly those of the chosen architecture, so a mismatch fails with a clear error.

Usage: build_resnet.py --weights resnet18.pth --arch resnet18 --out models/resnet18.onnx
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from modelkit.layers import fold_batchnorm  # noqa: E402
from modelkit.onnx_graph import GraphBuilder, serialise, write_atomically  # noqa: E402
from modelkit.torch_checkpoint import CheckpointError, load_state_dict  # noqa: E402

IMAGE_SIZE = 224
BATCHNORM_EPS = 1e-5


@dataclass(frozen=True)
class Architecture:
    blocks_per_layer: tuple[int, int, int, int]
    bottleneck: bool


ARCHITECTURES = {
    "resnet18": Architecture((2, 2, 2, 2), bottleneck=False),
    "resnet34": Architecture((3, 4, 6, 3), bottleneck=False),
    "resnet50": Architecture((3, 4, 6, 3), bottleneck=True),
}
_BN_PARTS = ("weight", "bias", "running_mean", "running_var")


class ArchitectureError(ValueError):
    """The state_dict does not match the requested ResNet architecture."""


def expected_keys(arch: Architecture, weights: dict[str, np.ndarray]) -> set[str]:
    keys = {"conv1.weight", "fc.weight", "fc.bias", *(f"bn1.{p}" for p in _BN_PARTS)}
    convs = 3 if arch.bottleneck else 2
    for layer, count in enumerate(arch.blocks_per_layer, start=1):
        for i in range(count):
            prefix = f"layer{layer}.{i}."
            for c in range(1, convs + 1):
                keys.add(f"{prefix}conv{c}.weight")
                keys.update(f"{prefix}bn{c}.{p}" for p in _BN_PARTS)
            if i == 0 and f"{prefix}downsample.0.weight" in weights:
                keys.add(f"{prefix}downsample.0.weight")
                keys.update(f"{prefix}downsample.1.{p}" for p in _BN_PARTS)
    return keys


def check_keys(arch_name: str, weights: dict[str, np.ndarray]) -> None:
    arch = ARCHITECTURES[arch_name]
    present = {k for k in weights if not k.endswith("num_batches_tracked")}
    expected = expected_keys(arch, weights)
    missing, unexpected = sorted(expected - present), sorted(present - expected)
    if missing or unexpected:
        raise ArchitectureError(
            f"state_dict does not match {arch_name}: missing {missing[:5]}{'...' if len(missing) > 5 else ''}, "
            f"unexpected {unexpected[:5]}{'...' if len(unexpected) > 5 else ''} (is --arch right?)")


class _Builder:
    def __init__(self, weights: dict[str, np.ndarray], name: str):
        self.weights = weights
        self.graph = GraphBuilder(name)

    def conv_bn(self, x: str, conv: str, bn: str, *, stride: int, relu: bool) -> str:
        w = self.weights[conv + ".weight"]
        weight, bias = fold_batchnorm(w, None, *(self.weights[f"{bn}.{p}"] for p in _BN_PARTS), BATCHNORM_EPS)
        pad = w.shape[2] // 2  # torchvision convs pad symmetrically: 3 for 7x7, 1 for 3x3, 0 for 1x1
        y = self.graph.conv(x, conv, weight, bias, stride=stride, pads=(pad, pad, pad, pad))
        return self.graph.relu(y, f"{conv}/relu") if relu else y

    def block(self, x: str, prefix: str, stride: int, bottleneck: bool) -> str:
        if bottleneck:
            y = self.conv_bn(x, prefix + "conv1", prefix + "bn1", stride=1, relu=True)
            y = self.conv_bn(y, prefix + "conv2", prefix + "bn2", stride=stride, relu=True)
            y = self.conv_bn(y, prefix + "conv3", prefix + "bn3", stride=1, relu=False)
        else:
            y = self.conv_bn(x, prefix + "conv1", prefix + "bn1", stride=stride, relu=True)
            y = self.conv_bn(y, prefix + "conv2", prefix + "bn2", stride=1, relu=False)
        shortcut = x
        if prefix + "downsample.0.weight" in self.weights:
            shortcut = self.conv_bn(x, prefix + "downsample.0", prefix + "downsample.1", stride=stride, relu=False)
        return self.graph.relu(self.graph.add(y, shortcut, prefix + "residual"), prefix + "out")

    def build(self, arch: Architecture) -> None:
        g = self.graph
        x = self.conv_bn("input", "conv1", "bn1", stride=2, relu=True)
        x = g.node("MaxPool", [x], "maxpool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
        for layer, count in enumerate(arch.blocks_per_layer, start=1):
            for i in range(count):
                stride = 2 if layer > 1 and i == 0 else 1
                x = self.block(x, f"layer{layer}.{i}.", stride, arch.bottleneck)
        g.classifier_head(x, "fc", self.weights["fc.weight"], self.weights["fc.bias"], "logits")


def build_model(weights: dict[str, np.ndarray], arch_name: str):
    check_keys(arch_name, weights)
    builder = _Builder(weights, arch_name)
    builder.build(ARCHITECTURES[arch_name])
    return builder.graph.build_classifier(
        "input", "logits", channels=3, height=IMAGE_SIZE, width=IMAGE_SIZE, classes=weights["fc.weight"].shape[0],
        doc=f"{arch_name} (torchvision layout); input: RGB, resize 256, centre-crop 224, /255, ImageNet mean/std, NCHW",
        metadata={"architecture": arch_name, "input_size": str(IMAGE_SIZE),
                  "preprocessing": "imagenet-mean-std", "labels": "imagenet-1k"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build a ResNet ONNX model from a torchvision state_dict")
    parser.add_argument("--weights", type=Path, required=True, help="state_dict file (.pth, legacy or zip)")
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        model = build_model(load_state_dict(args.weights), args.arch)
    except (CheckpointError, ArchitectureError, OSError) as error:
        print(f"build_resnet: {error}", file=sys.stderr)
        return 1
    write_atomically(serialise(model), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
