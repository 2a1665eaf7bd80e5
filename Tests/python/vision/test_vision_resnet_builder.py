"""The ResNet builder: random torchvision-layout weights, ONNX Runtime vs an independent numpy pass.

Weights are seeded numpy arrays written as a torch state_dict (both file formats) by the test
helper's own writer; the reference forward pass uses direct convolution by im2col with BatchNorm
unfolded (eps 1e-5), so it shares nothing with the builder but the checkpoint reader.
"""
from __future__ import annotations

import numpy as np
import onnx
import pytest

from vision_testkit import batchnorm, conv2d, linear, load, maxpool3x3s2, run_onnx, write_state_dict

builder = load("build_resnet")
BN_EPS = 1e-5
LAYER_WIDTHS = (64, 128, 256, 512)


def random_resnet(arch: str, seed: int = 0) -> dict[str, np.ndarray]:
    """A torchvision-layout state_dict with He-initialised convs and plausible BN statistics."""
    rng = np.random.default_rng(seed)
    spec = builder.ARCHITECTURES[arch]
    weights: dict[str, np.ndarray] = {}

    def conv(name, out_ch, in_ch, k):
        std = np.sqrt(2.0 / (in_ch * k * k))
        weights[name + ".weight"] = (rng.standard_normal((out_ch, in_ch, k, k)) * std).astype(np.float32)

    def bn(name, ch):
        weights[name + ".weight"] = rng.uniform(0.5, 1.5, ch).astype(np.float32)
        weights[name + ".bias"] = rng.normal(0, 0.1, ch).astype(np.float32)
        weights[name + ".running_mean"] = rng.normal(0, 0.1, ch).astype(np.float32)
        weights[name + ".running_var"] = rng.uniform(0.5, 2.0, ch).astype(np.float32)
        weights[name + ".num_batches_tracked"] = np.array(100, dtype=np.int64)

    conv("conv1", 64, 3, 7)
    bn("bn1", 64)
    expansion = 4 if spec.bottleneck else 1
    in_ch = 64
    for layer, (count, width) in enumerate(zip(spec.blocks_per_layer, LAYER_WIDTHS), start=1):
        for i in range(count):
            p = f"layer{layer}.{i}."
            stride = 2 if layer > 1 and i == 0 else 1
            if spec.bottleneck:
                conv(p + "conv1", width, in_ch, 1), bn(p + "bn1", width)
                conv(p + "conv2", width, width, 3), bn(p + "bn2", width)
                conv(p + "conv3", width * 4, width, 1), bn(p + "bn3", width * 4)
            else:
                conv(p + "conv1", width, in_ch, 3), bn(p + "bn1", width)
                conv(p + "conv2", width, width, 3), bn(p + "bn2", width)
            if stride != 1 or in_ch != width * expansion:
                conv(p + "downsample.0", width * expansion, in_ch, 1)
                bn(p + "downsample.1", width * expansion)
            in_ch = width * expansion
    weights["fc.weight"] = (rng.standard_normal((1000, in_ch)) / np.sqrt(in_ch)).astype(np.float32)
    weights["fc.bias"] = rng.normal(0, 0.01, 1000).astype(np.float32)
    return weights


def numpy_resnet(weights, arch: str, x: np.ndarray) -> np.ndarray:
    spec = builder.ARCHITECTURES[arch]

    def conv_bn(x, conv, bn, stride):
        k = weights[conv + ".weight"].shape[2]
        p = (k - 1) // 2
        return batchnorm(conv2d(x, weights[conv + ".weight"], stride, (p, p, p, p)), weights, bn, BN_EPS)

    relu = lambda v: np.maximum(v, 0.0)  # noqa: E731
    x = maxpool3x3s2(relu(conv_bn(x.astype(np.float64), "conv1", "bn1", 2)))
    for layer, count in enumerate(spec.blocks_per_layer, start=1):
        for i in range(count):
            p = f"layer{layer}.{i}."
            stride = 2 if layer > 1 and i == 0 else 1
            if spec.bottleneck:
                y = relu(conv_bn(x, p + "conv1", p + "bn1", 1))
                y = relu(conv_bn(y, p + "conv2", p + "bn2", stride))
                y = conv_bn(y, p + "conv3", p + "bn3", 1)
            else:
                y = relu(conv_bn(x, p + "conv1", p + "bn1", stride))
                y = conv_bn(y, p + "conv2", p + "bn2", 1)
            shortcut = conv_bn(x, p + "downsample.0", p + "downsample.1", stride) \
                if p + "downsample.0.weight" in weights else x
            x = relu(y + shortcut)
    return linear(x.mean(axis=(2, 3)), weights, "fc")


@pytest.mark.parametrize("arch,fmt", [("resnet18", "legacy"), ("resnet18", "zip"), ("resnet50", "zip")])
def test_built_resnet_matches_numpy_forward(tmp_path, arch, fmt):
    weights = random_resnet(arch, seed=len(arch))
    state_dict = tmp_path / f"{arch}.pth"
    write_state_dict(state_dict, weights, fmt)
    out = tmp_path / f"{arch}.onnx"
    assert builder.main(["--weights", str(state_dict), "--arch", arch, "--out", str(out)]) == 0

    model = onnx.load(str(out))
    assert [i.name for i in model.graph.input] == ["input"]
    assert [o.name for o in model.graph.output] == ["logits"]
    assert "BatchNormalization" not in {n.op_type for n in model.graph.node}

    x = np.random.default_rng(1).standard_normal((2, 3, 224, 224)).astype(np.float32)
    onnx_logits = run_onnx(out, x)
    numpy_logits = numpy_resnet(weights, arch, x)
    assert onnx_logits.shape == (2, 1000)
    scale = np.abs(numpy_logits).max()
    assert scale > 0.1, "random weights should give non-trivial logits"
    assert np.abs(onnx_logits - numpy_logits).max() <= 1e-5 * scale  # observed ~5e-7 relative
    assert (onnx_logits.argmax(axis=1) == numpy_logits.argmax(axis=1)).all()


def test_build_is_deterministic(tmp_path):
    state_dict = tmp_path / "r18.pth"
    write_state_dict(state_dict, random_resnet("resnet18"), "legacy")
    outputs = []
    for name in ("a.onnx", "b.onnx"):
        assert builder.main(["--weights", str(state_dict), "--arch", "resnet18", "--out", str(tmp_path / name)]) == 0
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]


def test_weights_of_another_architecture_are_refused_with_a_clear_error(tmp_path, capsys):
    state_dict = tmp_path / "r18.pth"
    write_state_dict(state_dict, random_resnet("resnet18"), "zip")
    out = tmp_path / "r34.onnx"
    assert builder.main(["--weights", str(state_dict), "--arch", "resnet34", "--out", str(out)]) == 1
    assert "does not match resnet34" in capsys.readouterr().err
    assert not out.exists()


def test_unreadable_weights_file_fails_without_output(tmp_path, capsys):
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    out = tmp_path / "x.onnx"
    assert builder.main(["--weights", str(bad), "--arch", "resnet18", "--out", str(out)]) == 1
    assert "build_resnet:" in capsys.readouterr().err
    assert not out.exists()
